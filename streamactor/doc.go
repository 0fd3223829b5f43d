// Package streamactor holds the streaming call actors: one actor per server-streaming,
// client-streaming or bidirectional call, on each side.
//
// A stream actor owns everything about its call: the receive queue (messages decoded from
// DATA, waiting for the application), the send accounting (bytes handed to the connection
// and not yet written), half-close state on both sides, the deadline timer and the final
// status. The two directions are independent; each keeps its order.
//
// Backpressure is actor state, never a blocked goroutine inside an actor:
//
//   - receive: the stream's HTTP/2 window is returned to the peer (actors.ConsumeData) only
//     as the application consumes messages, so a slow reader stops a fast writer at the
//     window and the receive queue (with the handle's delivery channel) never holds more
//     than one window of bytes;
//   - send: a blocking handle spends send credit (SendBuffer bytes) and waits only when it
//     has none; the actor returns credit as actors.DataSent reports bytes written, so a
//     blocking sender waits on its own channel, outside any actor.
//
// Users reach a stream either through a blocking handle (the Go shapes of grpc-go: Send,
// Recv, CloseSend) or through messages: a subscribed actor receives StreamHeader,
// StreamMessage and StreamEnd, and sends with StreamRef. A handle (handle.go) shares only
// channels with its actor: the actor delivers messages into a bounded channel the handle
// reads without a round trip per message, and the handle reports what it consumed in
// batches (takeMore), which returns the window and refills the channel; a handle that
// waits lends its goroutine to the actor and blocks on the Lender alone, poked when a run
// elsewhere delivers; a send is one message to the actor, with no answer while there is
// credit. Messages sent while the
// connection still writes earlier ones go out together, copied into one DATA frame
// (batch.go); send buffers come from pools and go back once written (sendpool.go).
//
// A client stream keeps the messages it sent until the response headers arrive (up to 256
// KiB, replay.go): if the server never processed the stream (actors.StreamReset
// Unprocessed), the stream goes back to start and, on its new stream, sends them again in
// order, then the half-close if it had sent one (transparent retry, as for unary calls).
//
//	client stream:  start ─▶ opening ─StreamOpened─▶ open ──trailers / reset / deadline / cancel──▶ ended
//	                                                  │ CloseSend: END_STREAM after queued sends
//	                ended ──(queued messages taken, final status delivered)──▶ stopped
package streamactor
