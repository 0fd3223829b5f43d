package actors

import (
	"fmt"

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
