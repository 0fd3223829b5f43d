package streamactor

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/actors"
)

// DefaultSendBuffer is how many bytes a stream may have waiting in its connection before
// a Send waits.
const DefaultSendBuffer = 64 << 10

// outbox is a stream actor's send side: Sends waiting for room, and the bytes handed to the
// connection that it has not yet written. A blocking handle's sends are bounded by its
// send credit, which the outbox returns as the connection writes them; an actor's sends
// (StreamRef) do not wait and queue here.
type outbox struct {
	limit       int
	outstanding int
	queue       []*Send
	head        int  // queue[head:] wait
	closing     bool // CloseSend once the queue drains
	closed      bool // END_STREAM handed to the connection
	// last, when set with closing, is the final write (trailers) instead of a bare
	// END_STREAM (server side).
	last *actors.WriteStream
	// replay keeps what went out for a transparent retry (client side, replay.go).
	replay replay
	// handle, when set, is the blocking handle; credited is how many bytes of its sends
	// the connection has not written yet.
	handle   *Handle
	credited int
	// written lists what was handed to the connection, in order, until it is reported
	// written, so that pooled buffers go back to their pool.
	written writtenQueue
}

// writtenQueue is the messages handed to the connection and not yet reported written
// (DataSent counts bytes, in the order they were handed over).
type writtenQueue struct {
	q    []writtenMsg
	head int
	done int // bytes of q[head] reported written
}

type writtenMsg struct {
	n      int
	pooled *[]byte // nil: not ours to give back (kept for a replay, or not pooled)
}

// add records n bytes handed to the connection.
func (w *writtenQueue) add(n int, pooled *[]byte) { w.q = append(w.q, writtenMsg{n, pooled}) }

// sent records n bytes written and gives back the buffers now written whole.
func (w *writtenQueue) sent(n int) {
	w.done += n
	for w.head < len(w.q) && w.done >= w.q[w.head].n {
		m := w.q[w.head]
		w.q[w.head] = writtenMsg{}
		w.head++
		w.done -= m.n
		if m.pooled != nil {
			putSendBuffer(m.pooled)
		}
	}
	if w.head == len(w.q) {
		w.reset()
	}
}

// reset forgets everything listed, giving nothing back.
func (w *writtenQueue) reset() {
	clear(w.q)
	w.q, w.head, w.done = w.q[:0], 0, 0
}

// push queues a Send and flushes what fits.
func (o *outbox) push(ctx actor.Context, conn *actor.PID, id uint32, m *Send) {
	if m.credited {
		o.credited += len(m.Data)
	}
	if len(o.queue) == o.head && o.outstanding < o.limit && conn != nil && id != 0 {
		o.write(ctx, conn, id, m) // nothing waits: skip the queue
	} else {
		o.queue = append(o.queue, m)
	}
	o.flush(ctx, conn, id)
}

// write hands one message to the connection, in the Send's own WriteStream.
func (o *outbox) write(ctx actor.Context, conn *actor.PID, id uint32, m *Send) {
	o.outstanding += len(m.Data)
	pooled := m.pooled
	if o.replay.keep(m.Data) {
		pooled = nil // a replay may send it again
	}
	o.written.add(len(m.Data), pooled)
	m.write = actors.WriteStream{StreamID: id, Data: m.Data}
	ctx.Send(conn, &m.write)
}

// flush hands queued Sends to the connection while fewer than limit bytes wait there;
// then the pending half-close.
func (o *outbox) flush(ctx actor.Context, conn *actor.PID, id uint32) {
	if conn == nil || id == 0 {
		return
	}
	for o.head < len(o.queue) && o.outstanding < o.limit {
		m := o.queue[o.head]
		o.queue[o.head] = nil
		o.head++
		o.write(ctx, conn, id, m)
	}
	if o.head == len(o.queue) {
		o.queue, o.head = o.queue[:0], 0
	}
	if o.closing && o.head == len(o.queue) && !o.closed {
		o.closed = true
		last := o.last
		if last == nil {
			last = &actors.WriteStream{EndStream: true}
		}
		last.StreamID = id
		ctx.Send(conn, last)
	}
}

// sent records bytes the connection wrote, returns the handle's share as send credit, and
// flushes.
func (o *outbox) sent(ctx actor.Context, conn *actor.PID, id uint32, n int) {
	o.outstanding = max(o.outstanding-n, 0)
	o.written.sent(n)
	if o.handle != nil && o.credited > 0 {
		give := min(n, o.credited)
		o.credited -= give
		o.handle.grant(give)
	}
	o.flush(ctx, conn, id)
}

// fail forgets the queued Sends: the stream can send no more, and a handle's sends return
// err from now on.
func (o *outbox) fail(err error) {
	clear(o.queue)
	o.queue, o.head = o.queue[:0], 0
	if o.handle != nil {
		o.handle.closeSend(err)
	}
}
