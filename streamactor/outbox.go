package streamactor

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/actors"
)

// DefaultSendBuffer is how many bytes a stream may have waiting in its connection before
// a Send waits.
const DefaultSendBuffer = 64 << 10

// outbox is a stream actor's send side: Sends waiting for room, and the bytes handed to the
// connection that it has not yet written.
type outbox struct {
	limit       int
	outstanding int
	queue       []Send
	closing     bool // CloseSend once the queue drains
	closed      bool // END_STREAM handed to the connection
	// last, when set with closing, is the final write (trailers) instead of a bare
	// END_STREAM (server side).
	last *actors.WriteStream
	// replay keeps what went out for a transparent retry (client side, replay.go).
	replay replay
}

// push queues a Send and flushes what fits.
func (o *outbox) push(ctx actor.Context, conn *actor.PID, id uint32, m Send) {
	o.queue = append(o.queue, m)
	o.flush(ctx, conn, id)
}

// flush hands queued Sends to the connection while fewer than limit bytes wait there, and
// answers each one as it goes; then the pending half-close.
func (o *outbox) flush(ctx actor.Context, conn *actor.PID, id uint32) {
	if conn == nil || id == 0 {
		return
	}
	for len(o.queue) > 0 && o.outstanding < o.limit {
		m := o.queue[0]
		o.queue[0] = Send{}
		o.queue = o.queue[1:]
		o.outstanding += len(m.Data)
		o.replay.keep(m.Data)
		ctx.Send(conn, &actors.WriteStream{StreamID: id, Data: m.Data})
		if m.Reply != nil {
			m.Reply <- nil
		}
	}
	if o.closing && len(o.queue) == 0 && !o.closed {
		o.closed = true
		last := o.last
		if last == nil {
			last = &actors.WriteStream{EndStream: true}
		}
		last.StreamID = id
		ctx.Send(conn, last)
	}
}

// sent records bytes the connection wrote, and flushes.
func (o *outbox) sent(ctx actor.Context, conn *actor.PID, id uint32, n int) {
	o.outstanding = max(o.outstanding-n, 0)
	o.flush(ctx, conn, id)
}

// fail answers every queued Send with err and forgets them.
func (o *outbox) fail(err error) {
	for _, m := range o.queue {
		if m.Reply != nil {
			m.Reply <- err
		}
	}
	o.queue = nil
}
