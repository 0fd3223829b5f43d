package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2"
)

// dataRun gathers the DataReceived facts of consecutive DATA frames of one manual-flow
// stream, read in one batch (frameMsg.next), to post them to the stream's owner as one
// message linked by DataReceived.Next: a peer that sends every message in a frame of its
// own (grpc-go does) then costs the stream actor one mailbox post and one run per batch,
// not per frame.
//
// Order holds: a run is posted before anything else the connection handles (another
// frame, a frame of another stream, an error on this one), so its owner gets the run
// before any later fact. Owned by the connection actor; empty between two batches.
type dataRun struct {
	owner      *actor.PID
	streamID   uint32
	head, tail *DataReceived
}

// addToRun appends d, a fact for stream s, posting the run first if it is another stream's.
func (c *conn) addToRun(ctx actor.Context, s *stream, d *DataReceived) {
	r := &c.run
	if r.head != nil && r.streamID != s.id {
		c.flushRun(ctx)
	}
	if r.head == nil {
		r.owner, r.streamID, r.head = s.owner, s.id, d
	} else {
		r.tail.Next = d
	}
	r.tail = d
}

// flushRun posts the run, if there is one.
func (c *conn) flushRun(ctx actor.Context) {
	r := &c.run
	if r.head == nil {
		return
	}
	ctx.Send(r.owner, r.head)
	*r = dataRun{}
}

// continuesRun says frame f would extend the pending run: a DATA frame of its stream.
func (c *conn) continuesRun(f *frameMsg) bool {
	return f.typ == http2.FrameData && f.streamID == c.run.streamID
}
