package streamactor

import (
	"context"
	"io"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/callwatch"
	"github.com/actorrpc/actorrpc/supervisor"
	"github.com/actorrpc/actorrpc/wire"
)

// TrailerRequest asks for the trailing metadata once the stream has ended.
type TrailerRequest struct{ Reply chan<- wire.Metadata }

// ClientParams describes one streaming call on the client.
type ClientParams struct {
	// Conn is the connection; nil means wait for actors.ConnectionPicked.
	Conn *actor.PID
	// Ctx cancels the call when done.
	Ctx context.Context
	// Deadline, when HasDeadline, ends the call with DEADLINE_EXCEEDED.
	Deadline    time.Time
	HasDeadline bool
	// Headers are the request headers.
	Headers []hpack.HeaderField
	// First, when not nil, is sent with the headers; FirstEnd half-closes after it
	// (server streaming: the one request).
	First    []byte
	FirstEnd bool
	// MaxRecv limits a received message's size.
	MaxRecv int
	// SendBuffer is how many bytes may wait in the connection before Send waits.
	SendBuffer int
	// Subscriber, when set, receives StreamHeader, StreamMessage (decoded with
	// NewMessage) and StreamEnd instead of the stream being read with Recv.
	Subscriber *actor.PID
	NewMessage func() proto.Message
	// Compressor and MaxSend are how the subscriber's StreamRef encodes what it sends.
	Compressor wire.Compressor
	MaxSend    int
	// Outcome is filled and closed when the actor stops, so that a handle never waits on
	// a stream actor that is gone.
	Outcome *Outcome
	// Handle, when set, is the blocking handle that receives and sends (NewHandle).
	Handle *Handle
	// WaitForReady is the call's setting, for a transparent retry's new pick.
	WaitForReady bool
}

// Outcome is the set-once record of how a stream ended, shared with its handle. The
// actor writes the fields, then closes Done; readers read them only after Done.
type Outcome struct {
	Done chan struct{}
	// Ended is set just before Done closes; code outside a testing/synctest bubble (a GC
	// cleanup) reads it where it must not touch the bubble's channel.
	Ended   atomic.Bool
	Err     error // nil for OK
	Header  wire.Metadata
	Trailer wire.Metadata
}

// NewOutcome returns an open Outcome.
func NewOutcome() *Outcome { return &Outcome{Done: make(chan struct{})} }

// Client is the client side of one streaming call.
type Client struct {
	p        ClientParams
	self     *actor.PID
	ref      *StreamRef // what the subscriber sends with
	conn     *actor.PID
	streamID uint32
	opening  bool
	watch    callwatch.Watch
	retry    callwatch.Retry

	in  inbox
	out outbox

	gotHead  bool
	header   wire.Metadata
	headWait []chan<- HeaderResult
	trailer  wire.Metadata
	final    *wire.Status // set when the call has ended
	trWait   []chan<- wire.Metadata
	finalFn  func(payload []byte, err error) // RecvFinal waiting

	waitCause *wire.Status // why the channel is not ready, while waiting for it
}

// whileWaiting adds the channel's failure to st when the call gave up waiting for a
// connection.
func (c *Client) whileWaiting(st *wire.Status) *wire.Status {
	if c.conn != nil {
		return st
	}
	return actors.GaveUpWaiting(st, c.waitCause)
}

// NewClient returns the actor for one streaming call.
func NewClient(p ClientParams) *Client { return &Client{p: p} }

// Receive is the stream actor's one switch.
func (c *Client) Receive(ctx actor.Context) {
	defer supervisor.KeepStack()
	switch m := ctx.Message().(type) {
	case *actor.Started:
		c.start(ctx)
	case *actors.ConnectionPicked:
		c.open(ctx, m.Conn)
	case *actors.PickFailed:
		c.end(ctx, m.Status, false)
	case *actors.StreamOpened:
		c.onOpened(ctx, m.StreamID)
	case *actors.HeadersReceived:
		c.onHeaders(ctx, m)
	case *actors.DataReceived:
		c.onData(ctx, m)
	case *actors.DataSent:
		if m.StreamID == c.streamID { // not a stream given up for a retry
			c.out.sent(ctx, c.conn, c.streamID, m.N)
		}
	case *actors.StreamReset:
		if !actors.AnswersAttempt(m.Conn, c.conn) {
			return // an earlier attempt's connection: this call moved on (ConnectionLost)
		}
		c.streamID, c.opening = 0, false
		c.onReset(ctx, m)
	case *actor.DeadLetterResponse:
		// The connection was gone before it read OpenStream: the stream never left.
		if !actors.AnswersAttempt(m.Target, c.conn) {
			return // an earlier attempt's (ConnectionLost came first)
		}
		c.opening = false
		c.onReset(ctx, &actors.StreamReset{Unprocessed: true,
			Status: wire.NewStatus(wire.Unavailable, "connection closed before the stream was opened")})
	case *Send:
		c.send(ctx, m)
	case *CloseSend:
		c.out.closing = true
		if c.out.handle != nil {
			c.out.handle.closeSend(io.EOF) // grpc-go: SendMsg after CloseSend fails
		}
		c.out.flush(ctx, c.conn, c.streamID)
	case *takeMore:
		c.in.pulled(ctx, c.conn, c.streamID, m.consumed)
		c.checkDecoded(ctx)
		c.maybeStop(ctx)
	case *RecvFinal:
		c.finalFn = m.Fn
		c.tryFinal(ctx)
	case *HeaderRequest:
		c.headerRequest(m.Reply)
	case *TrailerRequest:
		c.trailerRequest(m.Reply)
	case *Cancel:
		c.cancel(ctx, m.Status)
	case *actors.ConnectionLost:
		if c.conn != nil && c.conn.Equal(m.Conn) && c.final == nil {
			// Still opening: the connection stopped before it read OpenStream.
			unprocessed := c.opening
			c.opening, c.streamID = false, 0
			c.onReset(ctx, &actors.StreamReset{Status: m.Status(), Unprocessed: unprocessed})
		}
	case *actors.StillWaiting:
		c.waitCause = m.Cause
	case *callwatch.DeadlinePassed:
		c.end(ctx, c.whileWaiting(wire.NewStatus(wire.DeadlineExceeded, "context deadline exceeded")), true)
	case *callwatch.ContextDone:
		st, _ := wire.FromError(c.p.Ctx.Err())
		c.end(ctx, c.whileWaiting(st), true)
	case *actors.ChannelClosing, *actor.Stopping:
		c.end(ctx, wire.NewStatus(wire.Canceled, "channel closed"), true)
	case *actor.Stopped:
		c.publishOutcome()
	}
}

func (c *Client) start(ctx actor.Context) {
	c.self = ctx.Self()
	c.ref = NewStreamRefWith(c.self, c.p.Compressor, c.p.MaxSend)
	c.in.dec.MaxSize = c.p.MaxRecv
	if h := c.p.Handle; h != nil {
		c.in.out, c.in.more, c.in.lender, c.out.handle = h.msgs, h.more, h.lender, h
	}
	c.out.limit = c.p.SendBuffer
	if c.out.limit <= 0 {
		c.out.limit = DefaultSendBuffer
	}
	c.out.replay.on = true
	var passed bool
	if c.watch, passed = callwatch.Arm(ctx.ActorSystem(), c.self, c.p.Ctx, c.p.Deadline, c.p.HasDeadline); passed {
		c.end(ctx, wire.NewStatus(wire.DeadlineExceeded, "context deadline exceeded"), false)
		return
	}
	if c.p.Conn != nil {
		c.open(ctx, c.p.Conn)
	}
}

func (c *Client) open(ctx actor.Context, conn *actor.PID) {
	if c.final != nil || c.conn != nil {
		return
	}
	c.conn, c.opening = conn, true
	open := &actors.OpenStream{Headers: c.p.Headers, Data: c.p.First, EndStream: c.p.FirstEnd, ManualFlow: true}
	c.out.opened(len(c.p.First))
	c.out.closed = c.p.FirstEnd
	ctx.Request(conn, open)
}

// onReset ends the call after its stream was reset, or, if the server never processed it
// and what was sent is still kept, opens it again (transparent retry).
func (c *Client) onReset(ctx actor.Context, m *actors.StreamReset) {
	if c.final != nil {
		c.maybeStop(ctx) // it waited for its open to be answered
		return
	}
	if st := callwatch.ResetStatus(m.Status, c.p.Deadline, c.p.HasDeadline); st != m.Status {
		m = &actors.StreamReset{StreamID: m.StreamID, Status: st, Unprocessed: m.Unprocessed}
	}
	if c.gotHead || c.out.replay.lost {
		c.end(ctx, m.Status, false)
		return
	}
	st, again := c.retry.Allow(m)
	if !again {
		c.end(ctx, st, false)
		return
	}
	c.conn = nil
	c.out.rewind(c.p.FirstEnd)
	c.p.Headers = callwatch.Again(ctx, nil, c.p.WaitForReady, c.p.Headers, c.p.Deadline, c.p.HasDeadline)
}

func (c *Client) onOpened(ctx actor.Context, id uint32) {
	c.opening = false
	c.streamID = id
	if c.final != nil {
		ctx.Send(c.conn, &actors.ResetStream{StreamID: id, Code: http2.ErrCodeCancel})
		c.streamID = 0
		c.maybeStop(ctx)
		return
	}
	c.out.flush(ctx, c.conn, id)
}

func (c *Client) send(ctx actor.Context, m *Send) {
	if c.final != nil || c.out.closing || c.out.closed {
		// grpc-go: Send on a finished stream returns io.EOF (the handle's sendErr); the
		// status comes from Recv.
		return
	}
	c.out.push(ctx, c.conn, c.streamID, m)
}

func (c *Client) onHeaders(ctx actor.Context, m *actors.HeadersReceived) {
	if c.final != nil {
		return
	}
	if c.gotHead {
		tr, err := wire.ParseTrailers(m.Fields)
		if err != nil {
			c.end(ctx, statusOf(err), true)
			return
		}
		c.trailer = tr.Metadata
		c.streamID = 0 // the server ended the stream
		c.end(ctx, tr.Status, false)
		return
	}
	h, tr, err := wire.ParseResponseHeaders(m.Fields, m.EndStream)
	if err != nil {
		c.end(ctx, statusOf(err), true)
		return
	}
	if h == nil && tr == nil {
		return // 1xx informational: wait for the real headers
	}
	c.gotHead = true
	c.out.replay.drop() // the server is processing the call: no retry from here
	if h != nil {
		c.header = h.Metadata
		c.in.encoding = h.Encoding
	}
	c.answerHeader(nil)
	if c.p.Subscriber != nil {
		ctx.Send(c.p.Subscriber, &StreamHeader{Stream: c.ref, Header: c.header})
	}
	if tr != nil {
		c.trailer = tr.Metadata
		c.streamID = 0
		c.end(ctx, tr.Status, false)
	}
}

// onData queues the messages of m and of the frames chained to it (DataReceived.Next),
// then delivers.
func (c *Client) onData(ctx actor.Context, m *actors.DataReceived) {
	if c.final != nil {
		return
	}
	free, ended := 0, false
	for d := m; d != nil && !ended; d = d.Next {
		n, err := c.in.feed(d.Data)
		if err != nil {
			c.end(ctx, statusOf(err), true)
			return
		}
		free += n
		ended = d.EndStream
	}
	c.in.release(ctx, c.conn, c.streamID, free)
	c.deliver(ctx)
	if ended {
		c.streamID = 0
		c.end(ctx, wire.NewStatus(wire.Internal, "server closed the stream without sending trailers"), false)
	}
}

// tryFinal answers a RecvFinal once the one response and the end are known.
func (c *Client) tryFinal(ctx actor.Context) {
	fn := c.finalFn
	if fn == nil {
		return
	}
	var payload []byte
	var err error
	switch {
	case c.in.queued() > 1:
		err = wire.NewStatus(wire.Internal, "cardinality violation: expected one response message, received more")
	case !c.in.ended:
		return
	case !isEOF(c.in.endErr):
		err = c.in.endErr
	case c.in.queued() == 0:
		err = wire.NewStatus(wire.Internal, "cardinality violation: expected one response message, received none")
	default:
		r := c.in.take()
		c.in.release(ctx, c.conn, c.streamID, r.size)
		payload, err = r.Payload, r.Err
	}
	c.finalFn = nil
	c.in.drop()
	c.in.taken = true
	fn(payload, err)
	c.maybeStop(ctx)
}

// deliver hands queued messages to waiting Recvs or the subscriber.
func (c *Client) deliver(ctx actor.Context) {
	if c.finalFn != nil {
		c.tryFinal(ctx)
		return
	}
	if c.p.Subscriber == nil {
		c.in.push()
		c.checkDecoded(ctx)
		return
	}
	for c.in.queued() > 0 {
		r := c.in.take()
		c.in.release(ctx, c.conn, c.streamID, r.size)
		if r.Err != nil {
			c.end(ctx, statusOf(r.Err), true)
			return
		}
		msg := c.p.NewMessage()
		err := proto.Unmarshal(r.Payload, msg)
		r.Release()
		if err != nil {
			c.end(ctx, wire.NewStatus(wire.Internal, "grpc: failed to unmarshal the response: "+err.Error()), true)
			return
		}
		ctx.Send(c.p.Subscriber, &StreamMessage{Stream: c.ref, Msg: msg})
	}
}

func (c *Client) headerRequest(reply chan<- HeaderResult) {
	if c.gotHead || c.final != nil {
		reply <- c.headerResult()
		return
	}
	c.headWait = append(c.headWait, reply)
}

func (c *Client) headerResult() HeaderResult {
	if !c.gotHead && c.final != nil && c.final.Code() != wire.OK {
		return HeaderResult{Err: c.final}
	}
	return HeaderResult{Header: c.header}
}

func (c *Client) answerHeader(_ error) {
	for _, w := range c.headWait {
		w <- c.headerResult()
	}
	c.headWait = nil
}

func (c *Client) trailerRequest(reply chan<- wire.Metadata) {
	if c.final != nil {
		reply <- c.trailer
		return
	}
	c.trWait = append(c.trWait, reply)
}

// end records the call's outcome once. reset says the stream must be reset (a local end).
// Queued messages stay readable; the outcome follows them.
func (c *Client) end(ctx actor.Context, st *wire.Status, reset bool) {
	if c.final != nil {
		return
	}
	if st == nil {
		st = wire.NewStatus(wire.OK, "")
	}
	c.final = st
	if reset && c.streamID != 0 {
		ctx.Send(c.conn, &actors.ResetStream{StreamID: c.streamID, Code: http2.ErrCodeCancel})
		c.streamID = 0
	}
	c.watch.Stop()
	var endErr error = io.EOF
	if st.Code() != wire.OK {
		endErr = st
	}
	if reset {
		// A local end (cancel, deadline, a dropped handle) drops what was not read yet, as
		// grpc-go does; the handle reads the outcome once the actor has stopped.
		c.in.drop()
		c.in.taken = true
	}
	c.in.end(endErr)
	c.out.fail(io.EOF)
	c.answerHeader(nil)
	for _, w := range c.trWait {
		w <- c.trailer
	}
	c.trWait = nil
	if c.p.Subscriber != nil {
		var err error
		if st.Code() != wire.OK {
			err = st
		}
		ctx.Send(c.p.Subscriber, &StreamEnd{Stream: c.ref, Err: err, Trailer: c.trailer})
		c.in.taken = true
		c.in.drop()
	}
	c.in.push()
	c.tryFinal(ctx)
	c.maybeStop(ctx)
}

// checkDecoded ends the call with the status of a message the handle could not be given
// (it could not be decompressed), and cancels the stream, as grpc-go does; the messages
// before it are still read.
func (c *Client) checkDecoded(ctx actor.Context) {
	err := c.in.takeFailed()
	if err == nil {
		return
	}
	if c.streamID != 0 {
		ctx.Send(c.conn, &actors.ResetStream{StreamID: c.streamID, Code: http2.ErrCodeCancel})
		c.streamID = 0
	}
	c.end(ctx, statusOf(err), false)
}

// cancel ends the call with st, resetting its stream. A call that has ended already may
// still hold messages nobody will read (its handle was dropped): they go, and the actor
// stops.
func (c *Client) cancel(ctx actor.Context, st *wire.Status) {
	if c.final == nil {
		c.end(ctx, st, true)
		return
	}
	c.in.drop()
	c.in.taken = true
	c.maybeStop(ctx)
}

// publishOutcome fills the shared Outcome and closes it; runs once, as the actor stops.
func (c *Client) publishOutcome() {
	o := c.p.Outcome
	if o == nil {
		return
	}
	if c.final != nil && c.final.Code() != wire.OK {
		o.Err = c.final
	}
	o.Header, o.Trailer = c.header, c.trailer
	o.Ended.Store(true)
	close(o.Done)
}

// maybeStop stops the actor once the call has ended and the application has read
// everything (or nobody reads: a subscriber was told).
func (c *Client) maybeStop(ctx actor.Context) {
	if c.final == nil || c.opening || !c.in.drained() {
		return
	}
	ctx.Stop(c.self)
}

// statusOf returns the status an error carries.
func statusOf(err error) *wire.Status {
	st, _ := wire.FromError(err)
	return st
}
