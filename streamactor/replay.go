package streamactor

// replayLimit bounds what a client stream keeps for a transparent retry: grpc-go's default
// retry buffer (256 KiB). A stream that sent more before the server answered cannot be
// opened again; it ends UNAVAILABLE like any stream the server reset.
const replayLimit = 256 << 10

// replay keeps the messages a client stream handed to its connection until the response
// headers arrive, so that a stream the server never processed (actors.StreamReset
// Unprocessed) can be opened again with the same messages in the same order. The messages
// are the Send's own bytes, never copied: a Send owns its Data and nothing writes to it.
type replay struct {
	on    bool // keeping: a client stream without response headers, under the limit
	lost  bool // a message went out without being kept: no replay possible
	sent  [][]byte
	bytes int
}

// keep records one message handed to the connection, and says whether it kept it.
func (r *replay) keep(data []byte) bool {
	if !r.on {
		return false
	}
	if r.bytes+len(data) > replayLimit {
		r.lost = true
		r.drop()
		return false
	}
	r.sent = append(r.sent, data)
	r.bytes += len(data)
	return true
}

// drop stops keeping: the server answered (or the bound was passed).
func (r *replay) drop() { r.on, r.sent, r.bytes = false, nil, 0 }

// rewind puts every kept message back at the head of the outbox's queue, to be handed to
// the new stream once it opens; a half-close that went out goes out again after them.
// firstEnd says the stream's opening HEADERS+DATA itself carries END_STREAM.
func (o *outbox) rewind(firstEnd bool) {
	queue := make([]*Send, 0, len(o.replay.sent)+len(o.queue)-o.head)
	for _, d := range o.replay.sent {
		queue = append(queue, &Send{Data: d})
	}
	o.queue, o.head = append(queue, o.queue[o.head:]...), 0
	o.replay.sent, o.replay.bytes = nil, 0 // kept again as they go out
	o.outstanding, o.inConn = 0, 0
	o.batch.drop()    // its messages are kept: they go out again from the queue
	o.written.reset() // the old stream's writes: no buffer of them goes back to a pool
	// What the handle sent goes out again uncredited (the old connection will report
	// none of it written): its credit comes back now.
	if o.handle != nil {
		o.handle.grant(o.credited)
	}
	o.credited = 0
	if o.closed && !firstEnd {
		o.closed, o.closing = false, true
	}
}
