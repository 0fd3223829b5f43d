package callwatch

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/wire"
)

// Retry is a client call's transparent retry (gRPC proposal A6, "transparent retries";
// grpc-go's clientStream.shouldRetry): a stream the server never processed is opened again
// without the application seeing an error, at most actors.MaxTransparentRetries times.
type Retry struct{ n int }

// Allow reports whether the call may open its stream again after reset. If not, st is the
// status the call ends with: an unprocessed stream past the bound says so.
func (r *Retry) Allow(reset *actors.StreamReset) (st *wire.Status, ok bool) {
	if !reset.Unprocessed {
		return reset.Status, false
	}
	if r.n >= actors.MaxTransparentRetries {
		return wire.NewStatus(reset.Status.Code(), fmt.Sprintf("%s (gave up after %d transparent retries)", reset.Status.Message(), r.n)), false
	}
	r.n++
	return nil, true
}

// Again asks the channel (channel, or else the call's parent) for a connection for the call
// once more, and returns the request headers for the new attempt: grpc-timeout, if any, is
// what is left until deadline (a later attempt must not give the server more time than the
// call has). A channel already gone answers actor.DeadLetterResponse, a stream that never
// left: the retries stay bounded.
func Again(ctx actor.Context, channel *actor.PID, waitForReady bool, headers []hpack.HeaderField, deadline time.Time, hasDeadline bool) []hpack.HeaderField {
	if channel == nil {
		channel = ctx.Parent()
	}
	ctx.Request(channel, &actors.RetryCall{Call: ctx.Self(), WaitForReady: waitForReady})
	if !hasDeadline {
		return headers
	}
	out := make([]hpack.HeaderField, len(headers))
	copy(out, headers)
	for i := range out {
		if out[i].Name == "grpc-timeout" {
			out[i].Value = wire.EncodeTimeout(max(time.Until(deadline), 0))
		}
	}
	return out
}

// ResetStatus is the status a client call ends with for a reset of its stream: as grpc-go
// reads it (http2Client.handleRSTStream), a CANCEL that comes once the call's deadline
// has passed is the server giving up at that deadline, so the call ends DEADLINE_EXCEEDED,
// whichever of the server's reset and the client's own timer comes first.
func ResetStatus(st *wire.Status, deadline time.Time, hasDeadline bool) *wire.Status {
	if st.Code() == wire.Canceled && hasDeadline && !time.Now().Before(deadline) {
		return wire.NewStatus(wire.DeadlineExceeded, "context deadline exceeded")
	}
	return st
}
