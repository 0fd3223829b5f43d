// Package callactor holds the unary call actors, one per call on each side.
//
// Client (UnaryClient): owns the call's deadline timer, its cancellation, the response
// decoder and the one result. It opens a stream on a connection actor (on a READY channel
// the caller, or the channel actor, sends its first OpenStream for it:
// ClientParams.OpenSent), collects headers, the message and trailers, and reports the
// response and exactly one outcome to its ClientResult. A blocking Invoke runs the actor on
// its own goroutine while it waits (actors.Lender).
//
//	start ──(conn known or ConnectionPicked)──▶ opening ──StreamOpened──▶ open
//	  │ PickFailed                                 │                        │ trailers, reset,
//	  ▼                                            ▼                        ▼ deadline, cancel
//	ended ◀─────────────── deadline / cancel ── (ended, waits for StreamOpened to reset it)
//
// A reset the connection marks Unprocessed (the server never saw the stream) sends the
// call back to start: it asks its channel for a connection again (actors.RetryCall) and
// reopens the stream with the same request and the time left as grpc-timeout, at most
// actors.MaxTransparentRetries times (internal/callwatch.Retry). Only the current
// attempt's connection is heard (actors.AnswersAttempt): a call that retried when the
// channel said its connection was lost (ConnectionLost) ignores that connection's own late
// answer to the open, which would otherwise open the call a second time.
//
// Server (UnaryServer): parses the request headers, resolves the method, decodes the one
// request message, runs the handler (a blocking function, or a user actor that answers by
// message), enforces the deadline, and writes the response and status. Its dispatcher
// (actors.Lender) gives it a goroutine of its own on its first message, which then runs
// the blocking handler (Block) and the handler's outcome; messages that come while the
// handler runs (a deadline, a reset) run on a warm worker. A panicking handler fails the actor; its supervisor stops it and
// the Stopping handler ends the call with INTERNAL.
//
// Both decode a message that arrives whole in one DATA frame in place (wire.Decoder.
// FeedOwned) and give DATA and message buffers (512 bytes and more) back to their pools once
// the message is unmarshalled; a response goes back to its pool once the connection has
// written it (actors.WriteStream.ReleaseData), a request once the call ended and the
// connection wrote it (actors.OpenStream.ReportWritten).
package callactor
