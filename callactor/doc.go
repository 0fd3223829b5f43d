// Package callactor holds the unary call actors, one per call on each side.
//
// Client (UnaryClient): owns the call's deadline timer, its cancellation, the response
// decoder and the one result. It opens a stream on a connection actor (on a READY channel
// the channel actor sends its first OpenStream for it: ClientParams.OpenSent), collects
// headers, the message and trailers, and reports the response and exactly one outcome to
// its ClientResult.
//
//	start ──(conn known or ConnectionPicked)──▶ opening ──StreamOpened──▶ open
//	  │ PickFailed                                 │                        │ trailers, reset,
//	  ▼                                            ▼                        ▼ deadline, cancel
//	ended ◀─────────────── deadline / cancel ── (ended, waits for StreamOpened to reset it)
//
// A reset the connection marks Unprocessed (the server never saw the stream) sends the
// call back to start: it asks its channel for a connection again (actors.RetryCall) and
// reopens the stream with the same request and the time left as grpc-timeout, at most
// actors.MaxTransparentRetries times (internal/callwatch.Retry).
//
// Server (UnaryServer): parses the request headers, resolves the method, decodes the one
// request message, runs the handler (a blocking function in a goroutine the actor owns,
// or a user actor that answers by message), enforces the deadline, and writes the
// response and status. A panicking handler fails the actor; its supervisor stops it and
// the Stopping handler ends the call with INTERNAL.
//
// Both decode a message that arrives whole in one DATA frame in place (wire.Decoder.
// FeedOwned) and give DATA and large message buffers back to their pools once the message
// is unmarshalled; a server's large response goes back to its pool once the connection has
// written it (actors.WriteStream.ReleaseData).
package callactor
