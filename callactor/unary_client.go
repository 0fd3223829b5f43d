package callactor

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/callwatch"
	"github.com/actorrpc/actorrpc/supervisor"
	"github.com/actorrpc/actorrpc/wire"
)

// ClientParams describes one unary call.
type ClientParams struct {
	// Conn is the connection to use; nil means wait for actors.ConnectionPicked.
	Conn *actor.PID
	// Channel is the channel actor a transparent retry asks for a connection; nil means
	// the call's parent (a call the channel actor spawned).
	Channel *actor.PID
	// Ctx is the caller's context: its cancellation cancels the call.
	Ctx context.Context
	// Deadline, when HasDeadline, ends the call with DEADLINE_EXCEEDED.
	Deadline    time.Time
	HasDeadline bool
	// WaitForReady is the call's setting, for a transparent retry's new pick.
	WaitForReady bool
	// OpenSent says the OpenStream of Headers and Request was already sent to Conn on the
	// call's behalf (actors.StartCall.Open): the call waits for its answer.
	OpenSent bool
	// Headers are the request headers (wire.AppendRequestHeaders).
	Headers []hpack.HeaderField
	// Request is the length-prefixed request message.
	Request []byte
	// MaxRecv limits the response message size.
	MaxRecv int
	// Result takes the response and the outcome.
	Result ClientResult
}

// ClientResult is what a unary call's caller gives its actor to take the response and the
// outcome. The actor calls it from Receive, so its methods must not block.
type ClientResult interface {
	// Decode unmarshals the response payload (already decompressed). It must not keep
	// payload, nor any slice of it (proto.Unmarshal copies what it keeps).
	Decode(payload []byte) error
	// Done is called exactly once, with the outcome; the actor calls nothing after it.
	Done(header, trailer wire.Metadata, err error)
}

// UnaryClient is the client side of one unary call.
type UnaryClient struct {
	p        ClientParams
	self     *actor.PID
	conn     *actor.PID
	streamID uint32
	opening  bool // OpenStream sent, StreamOpened not yet received
	ended    bool
	watch    callwatch.Watch
	retry    callwatch.Retry

	header   wire.Metadata
	encoding string
	gotHead  bool
	dec      wire.Decoder
	payload  []byte
	gotMsg   bool
	compress bool
	held     []byte // a DATA buffer the decoder kept (FeedOwned), given back once decoded
	// written says the connection no longer refers to the request (RequestWritten): a
	// pooled request goes back to wire's pool when the call ends.
	written bool

	waitCause *wire.Status // why the channel is not ready, while waiting for it
}

// whileWaiting adds the channel's failure to st when the call gave up waiting for a
// connection: "deadline exceeded" alone is the most common complaint of grpc-go's users.
func (c *UnaryClient) whileWaiting(st *wire.Status) *wire.Status {
	if c.conn != nil {
		return st
	}
	return actors.GaveUpWaiting(st, c.waitCause)
}

// NewUnaryClient returns the actor for one call.
func NewUnaryClient(p ClientParams) *UnaryClient {
	c := new(UnaryClient)
	c.Init(p)
	return c
}

// Init makes c the actor for one call, for a caller that allocates the actor inside its own
// per-call state (one allocation for both).
func (c *UnaryClient) Init(p ClientParams) { *c = UnaryClient{p: p} }

// Picked sets, before the actor is spawned, the connection Init left to be known at spawn
// time: ClientParams.Conn and OpenSent.
func (c *UnaryClient) Picked(conn *actor.PID, openSent bool) { c.p.Conn, c.p.OpenSent = conn, openSent }

// SetChannel sets, before the actor is spawned, the channel actor a transparent retry asks
// (ClientParams.Channel), for a call that is not the channel actor's child.
func (c *UnaryClient) SetChannel(pid *actor.PID) { c.p.Channel = pid }

// Receive is the call actor's one switch.
func (c *UnaryClient) Receive(ctx actor.Context) {
	defer supervisor.KeepStack()
	switch m := ctx.Message().(type) {
	case *actor.Started:
		c.start(ctx)
	case *actors.ConnectionPicked:
		c.open(ctx, m.Conn)
	case *actors.PickFailed:
		c.end(ctx, m.Status)
	case *actors.StreamOpened:
		c.written = c.written || m.Written
		c.onOpened(ctx, m.StreamID)
	case *actors.RequestWritten:
		c.written = true
	case *actors.HeadersReceived:
		c.onHeaders(ctx, m)
	case *actors.DataReceived:
		c.onData(ctx, m)
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
	case *actors.ConnectionLost:
		if c.conn != nil && c.conn.Equal(m.Conn) && !c.ended {
			// Still opening: the connection stopped before it read OpenStream (it would have
			// answered StreamOpened or StreamReset first), so the stream never left.
			unprocessed := c.opening
			c.opening, c.streamID = false, 0
			c.onReset(ctx, &actors.StreamReset{Status: m.Status(), Unprocessed: unprocessed})
		}
	case *actors.StillWaiting:
		c.waitCause = m.Cause
	case *callwatch.DeadlinePassed:
		c.abort(ctx, c.whileWaiting(wire.NewStatus(wire.DeadlineExceeded, "context deadline exceeded")))
	case *callwatch.ContextDone:
		c.abort(ctx, c.whileWaiting(statusOf(c.p.Ctx.Err()))) // the ctx's own deadline reads DEADLINE_EXCEEDED
	case *actors.ChannelClosing:
		c.abort(ctx, wire.NewStatus(wire.Canceled, "channel closed"))
	case *actor.Stopping:
		if !c.ended { // every call stops, most of them ended already
			c.abort(ctx, wire.NewStatus(wire.Canceled, "channel closed"))
		}
	}
}

func (c *UnaryClient) start(ctx actor.Context) {
	c.self = ctx.Self()
	c.dec.MaxSize, c.dec.PoolLarge = c.p.MaxRecv, true
	if c.p.Conn != nil && c.p.OpenSent {
		c.conn, c.opening = c.p.Conn, true // an end before StreamOpened waits to reset it
	}
	var passed bool
	if c.watch, passed = callwatch.Arm(ctx.ActorSystem(), c.self, c.p.Ctx, c.p.Deadline, c.p.HasDeadline); passed {
		c.end(ctx, wire.NewStatus(wire.DeadlineExceeded, "context deadline exceeded"))
		return
	}
	if c.p.Conn != nil && !c.p.OpenSent {
		c.open(ctx, c.p.Conn)
	}
}

func (c *UnaryClient) open(ctx actor.Context, conn *actor.PID) {
	if c.ended || c.conn != nil {
		return
	}
	c.conn, c.opening = conn, true
	ctx.Request(conn, &actors.OpenStream{Headers: c.p.Headers, Data: c.p.Request, EndStream: true, ReportWritten: wire.Pooled(c.p.Request)})
}

// onReset ends the call after its stream was reset, or opens it again if the server never
// processed it (transparent retry): the call still holds its whole request.
func (c *UnaryClient) onReset(ctx actor.Context, m *actors.StreamReset) {
	if c.ended {
		ctx.Stop(c.self) // it waited for its open to be answered
		return
	}
	if st := callwatch.ResetStatus(m.Status, c.p.Deadline, c.p.HasDeadline); st != m.Status {
		m = &actors.StreamReset{StreamID: m.StreamID, Status: st, Unprocessed: m.Unprocessed}
	}
	if c.gotHead {
		c.end(ctx, m.Status) // the server answered: it processed the call
		return
	}
	st, again := c.retry.Allow(m)
	if !again {
		c.end(ctx, st)
		return
	}
	c.conn, c.written = nil, false
	c.p.Headers = callwatch.Again(ctx, c.p.Channel, c.p.WaitForReady, c.p.Headers, c.p.Deadline, c.p.HasDeadline)
}

func (c *UnaryClient) onOpened(ctx actor.Context, id uint32) {
	c.opening = false
	c.streamID = id
	if c.ended {
		// The call ended (deadline, cancel) while the stream was being opened.
		ctx.Send(c.conn, &actors.ResetStream{StreamID: id, Code: http2.ErrCodeCancel})
		ctx.Stop(c.self)
	}
}

func (c *UnaryClient) onHeaders(ctx actor.Context, m *actors.HeadersReceived) {
	if c.ended {
		return
	}
	if !c.gotHead {
		c.gotHead = true
		h, tr, err := wire.ParseResponseHeaders(m.Fields, m.EndStream)
		if err != nil {
			c.abort(ctx, wire.NewStatus(wire.Internal, err.Error()))
			return
		}
		if h != nil {
			c.header, c.encoding = h.Metadata, h.Encoding
		}
		if tr != nil {
			c.finish(ctx, tr)
		}
		return
	}
	tr, err := wire.ParseTrailers(m.Fields)
	if err != nil {
		c.abort(ctx, wire.NewStatus(wire.Internal, err.Error()))
		return
	}
	c.finish(ctx, tr)
}

func (c *UnaryClient) onData(ctx actor.Context, m *actors.DataReceived) {
	if c.ended {
		return
	}
	if !c.dec.FeedOwned(m.Data) {
		actors.ReleaseData(m.Data) // copied: the call owns it and is done with it
	} else if c.held == nil {
		c.held = m.Data
	}
	for {
		payload, compressed, ok, err := c.dec.Next()
		if err != nil {
			c.abort(ctx, statusOf(err))
			return
		}
		if !ok {
			break
		}
		if c.gotMsg {
			c.abort(ctx, wire.NewStatus(wire.Internal, "cardinality violation: server sent more than one response message for a unary call"))
			return
		}
		c.payload, c.compress, c.gotMsg = payload, compressed, true
	}
	if m.EndStream {
		c.end(ctx, wire.NewStatus(wire.Internal, "server closed the stream without sending trailers"))
	}
}

// finish ends the call with the trailers' status, decoding the response on OK.
func (c *UnaryClient) finish(ctx actor.Context, tr *wire.Trailers) {
	c.streamID = 0 // the server ended the stream
	st := tr.Status
	if st.Code() == wire.OK {
		st = c.decodeResponse()
	}
	c.endWith(ctx, st, tr.Metadata)
}

func (c *UnaryClient) decodeResponse() *wire.Status {
	if !c.gotMsg {
		return wire.NewStatus(wire.Internal, "cardinality violation: received no response message from a unary call")
	}
	payload := c.payload
	if c.compress {
		comp := wire.CompressorByName(c.encoding)
		if comp == nil {
			return wire.NewStatus(wire.Internal, "grpc: compressed response with unsupported grpc-encoding \""+c.encoding+"\"")
		}
		out, err := comp.Decompress(nil, payload, c.dec.MaxSize)
		if err != nil {
			return statusOf(err)
		}
		payload = out
	}
	err := c.p.Result.Decode(payload) // copies what it keeps (ClientResult)
	actors.ReleaseData(c.held)
	c.dec.Release()
	c.held, c.payload = nil, nil
	if err != nil {
		return wire.NewStatus(wire.Internal, "grpc: failed to unmarshal the response: "+err.Error())
	}
	return nil
}

// abort ends the call locally and resets its stream.
func (c *UnaryClient) abort(ctx actor.Context, st *wire.Status) {
	if c.streamID != 0 && !c.ended {
		ctx.Send(c.conn, &actors.ResetStream{StreamID: c.streamID, Code: http2.ErrCodeCancel})
		c.streamID = 0
	}
	c.end(ctx, st)
}

func (c *UnaryClient) end(ctx actor.Context, st *wire.Status) { c.endWith(ctx, st, nil) }

// endWith reports the one outcome and stops the actor, unless a stream is still being
// opened: then it waits for StreamOpened to reset it.
func (c *UnaryClient) endWith(ctx actor.Context, st *wire.Status, trailer wire.Metadata) {
	if c.ended {
		return
	}
	c.ended = true
	c.watch.Stop()
	if c.written {
		wire.ReleaseBuffer(c.p.Request) // no one refers to it now: no retry comes
		c.p.Request = nil
	}
	var err error
	if st.Code() != wire.OK {
		err = st
	}
	c.p.Result.Done(c.header, trailer, err)
	if !c.opening {
		ctx.Stop(c.self)
	}
}
