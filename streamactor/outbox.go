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
	outstanding int // bytes handed to the connection or batched, not yet written
	inConn      int // bytes handed to the connection, not yet written
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
	// batch gathers the messages sent while the connection still writes earlier ones
	// (batch.go).
	batch batch
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

// write hands one message to the connection, in the Send's own WriteStream, or adds it to
// the batch while the connection still writes earlier ones.
func (o *outbox) write(ctx actor.Context, conn *actor.PID, id uint32, m *Send) {
	o.outstanding += len(m.Data)
	pooled := m.pooled
	if o.replay.keep(m.Data) {
		pooled = nil // a replay may send it again
	}
	if o.inConn > 0 && o.batch.add(ctx, conn, id, o, m.Data) {
		if pooled != nil {
			putSendBuffer(pooled) // copied into the batch
		}
		return
	}
	o.flushBatch(ctx, conn, id)
	o.inConn += len(m.Data)
	o.written.add(len(m.Data), pooled)
	m.write = actors.WriteStream{StreamID: id, Data: m.Data}
	ctx.Send(conn, &m.write)
}

// opened records the data a client stream's opening carried.
func (o *outbox) opened(n int) {
	o.outstanding += n
	o.inConn += n
	o.written.add(n, nil)
}

// flushBatch hands the batch to the connection.
func (o *outbox) flushBatch(ctx actor.Context, conn *actor.PID, id uint32) {
	data, pooled := o.batch.take()
	if len(data) == 0 {
		return
	}
	o.inConn += len(data)
	o.written.add(len(data), pooled)
	ctx.Send(conn, &actors.WriteStream{StreamID: id, Data: data})
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
		o.flushBatch(ctx, conn, id)
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
	o.inConn = max(o.inConn-n, 0)
	o.written.sent(n)
	if o.inConn == 0 {
		o.flushBatch(ctx, conn, id)
	}
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
	o.batch.drop()
	if o.handle != nil {
		o.handle.closeSend(err)
	}
}
