// Package actors holds the transport actors of actorrpc: the connection actor (one per
// HTTP/2 connection, client or server role) with its reader goroutine, the channel actor
// (connectivity state, dialing, backoff, the current connection), and the server's
// listener actor.
//
// Ownership: a connection actor owns everything about its connection — the net.Conn's
// write side, the HPACK encoder, settings, flow-control windows and the stream table.
// Its reader goroutine owns the read side (and the HPACK decoder, conn_hpack.go) and only
// posts copied frames to the actor, the frames already in its buffer as one message
// (frameMsg.next); a DATA payload is read once, into a buffer the message owns
// (conn_data.go). DATA frames of one streaming call in one batch reach its actor as one
// message, a chain of facts (DataReceived.Next, conn_data_run.go). The actor writes frames into a buffered writer and flushes when no other
// message is queued, after yielding the processor once if the batch is small, so that the
// calls about to post to it share the write (conn.go, maybeFlush). Call actors (packages
// callactor and streamactor) own their calls and talk to the connection actor with the
// commands and facts declared in conn.go.
//
// Dispatchers: the runtime's actors run on a warm dispatcher (dispatcher.go: idle workers
// wait in a stack and age out), and call actors on a Lender (dispatcher_lent.go), which
// runs them on a goroutine that would otherwise only wait for them: a caller in Invoke, a
// server call's own goroutine (which also runs its handler), a stream's receiver in Recv.
//
// Stream life cycle as the connection actor sees it:
//
//	         OpenStream / HEADERS received
//	idle ─────────────────────────────────▶ open
//	                                        │ END_STREAM sent      │ END_STREAM received
//	                                        ▼                      ▼
//	                                 half-closed(local)     half-closed(remote)
//	                                        │ END_STREAM received  │ END_STREAM sent
//	                                        └────────▶ closed ◀────┘
//	RST_STREAM either way, or the connection ending: closed at once, owner told StreamReset.
//
// A client stream the server never processed — RST_STREAM(REFUSED_STREAM), an id above a
// GOAWAY's last-stream-id, or an open that never left the client — is reported as
// StreamReset{Unprocessed: true}. Its call retries it transparently (gRPC proposal A6):
//
//	conn ──StreamReset{Unprocessed}──▶ call ──RetryCall──▶ channel ──ConnectionPicked──▶ call ──OpenStream──▶ conn′
//
// (A unary call's first open, on a READY channel, is sent by its caller straight to the
// connection the channel published (ChannelParams.Ready), or by the channel actor as it
// spawns the call: StartCall.Open. The connection answers such an open even after it
// stopped, and ends its streams CANCELLED once the channel is closed: conn_direct.go.)
//
// at most MaxTransparentRetries times. On GOAWAY the connection tells the channel first
// (GoAwayReceived: the channel drops it and goes IDLE, so the retry connects anew) and then
// the calls. The channel also goes IDLE on its own after ChannelParams.IdleTimeout without
// calls (channel_idle.go), closing its connection.
//
// Every StreamReset names the connection that sent it (StreamReset.Conn): a call that
// already retried on the channel's ConnectionLost ignores the old connection's late answer
// to its open (AnswersAttempt), which would otherwise open the call a second time.
package actors
