package actors

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/wire"
)

// MaxTransparentRetries bounds how many times one call is re-opened after its stream was
// never processed (StreamReset.Unprocessed), so that a server that refuses every stream
// cannot keep a call looping until its deadline.
const MaxTransparentRetries = 5

// unprocessedReset is the StreamReset of a client stream the server never processed: gRPC's
// transparent retry (proposal A6) lets the call open it again on another connection, or on
// the same one, without the application seeing an error. The cases, by the specs:
//
//   - RST_STREAM(REFUSED_STREAM): RFC 9113 §8.7, "the stream is being closed prior to any
//     processing having occurred";
//   - a stream above a GOAWAY's last-stream-id: RFC 9113 §6.8, "streams initiated by the
//     sender of the GOAWAY frame with identifiers higher than the last stream identifier
//     ... were not processed";
//   - a stream that never left the client (the connection was closing or gone).
func unprocessedReset(id uint32, format string, args ...any) *StreamReset {
	return &StreamReset{StreamID: id, Status: wire.NewStatus(wire.Unavailable, fmt.Sprintf(format, args...)), Unprocessed: true}
}

// sendReset tells owner that its stream (or its open) ended, naming this connection as the
// sender (StreamReset.Conn).
func (c *conn) sendReset(owner *actor.PID, r *StreamReset) {
	r.Conn = c.self
	c.system.Root.Send(owner, r)
}

// AnswersAttempt reports whether a reset (or a dead letter) that connection from sent is
// about a call's current attempt, on connection current (nil while the call waits for a
// connection). A call that retried on ConnectionLost may hear from the old connection
// after that (it answers an open still in its mailbox as it stops): that answer is for the
// earlier attempt, and a second retry would open the call twice. A message that names no
// connection (from nil) counts.
func AnswersAttempt(from, current *actor.PID) bool {
	return from == nil || (current != nil && from.Equal(current))
}
