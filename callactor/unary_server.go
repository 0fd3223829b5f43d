package callactor

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/callctx"
	"github.com/actorrpc/actorrpc/supervisor"
	"github.com/actorrpc/actorrpc/wire"
)

// Messages the server call actor receives besides the connection's facts.

// handlerReturned is posted by the handler goroutine, or sent by an actor handler through
// UnaryCall.Respond / Fail.
type handlerReturned struct {
	resp    proto.Message
	err     error
	header  wire.Metadata // actor handlers only
	trailer wire.Metadata // actor handlers only
	fromFn  bool
}

// deadlineExceeded is posted by the call's deadline timer.
type deadlineExceeded struct{}

// handlerPanicked is posted by the handler goroutine when the handler panicked.
type handlerPanicked struct{ p *supervisor.Panic }

// sendHeaders is posted by SendHeader in the handler.
type sendHeaders struct {
	md       wire.Metadata
	encoding string
}

// Method is how a server serves one unary method.
type Method struct {
	// NewRequest returns an empty request to decode into.
	NewRequest func() proto.Message
	// Func, when set, is a blocking handler run in a goroutine the call actor owns.
	Func func(ctx context.Context, req proto.Message) (proto.Message, error)
	// Actor, when Func is nil, receives each call as a *UnaryCall and answers by message.
	Actor *actor.PID
}

// ServerParams describes one incoming stream and how to serve it.
type ServerParams struct {
	Stream actors.IncomingStream
	// Req is the parsed request headers; Method serves it.
	Req    *wire.RequestHeaders
	Method *Method
	// Compressor is the response compressor when the client accepts it ("" for none).
	Compressor string
	MaxRecv    int
	MaxSend    int
	BaseCtx    context.Context // cancelled when the server stops
	Handlers   *sync.WaitGroup // counts handler goroutines, for the server's shutdown
	Logger     *slog.Logger
}

// UnaryServer is the server side of one unary call.
type UnaryServer struct {
	p        ServerParams
	self     *actor.PID
	conn     *actor.PID
	id       uint32
	req      *wire.RequestHeaders
	method   *Method
	dec      wire.Decoder
	started  bool // handler started
	running  bool // handler goroutine not yet returned
	ended    bool // status written or stream reset
	sentHead bool
	timer    *time.Timer
	hctx     *handler // the handler's context, from start: &h
	h        handler
	// final is the response's WriteStream, the last message the call sends the connection
	// (writeResponse): kept here, it costs no allocation of its own.
	final    actors.WriteStream
	sc       *callctx.ServerCall
	panicked *supervisor.Panic
	held     []byte // a DATA buffer the decoder kept (FeedOwned), given back once decoded
	// lender dispatches the actor: its goroutine runs the first messages, then the
	// handler, then the handler's outcome (actors.Lender).
	lender actors.Lender
}

// handler is what a unary server call's handler holds, in one allocation: its context and
// ServerCall (callctx.Handler), how its SendHeader reaches the call actor, and the handler
// run as actors.Blocking work. system and self are set before the handler starts and never
// change; fn, req and wg are set before it runs; out is written and read by the goroutine
// that runs it.
type handler struct {
	callctx.Handler
	system *actor.ActorSystem
	self   *actor.PID
	fn     func(context.Context, proto.Message) (proto.Message, error)
	req    proto.Message
	wg     *sync.WaitGroup
	out    any             // *handlerReturned or *handlerPanicked
	ret    handlerReturned // what out points to when the handler returned
}

var _ actors.Blocking = (*handler)(nil)

// Run runs the blocking handler and keeps its outcome for After.
func (h *handler) Run() {
	defer func() {
		if r := recover(); r != nil {
			h.out = &handlerPanicked{p: supervisor.Recovered(r)}
		}
	}()
	resp, err := h.fn(h, h.req)
	h.ret = handlerReturned{resp: resp, err: err, fromFn: true}
	h.out = &h.ret
}

// After posts the handler's outcome to the call actor.
func (h *handler) After() {
	h.system.Root.Send(h.self, h.out)
	h.wg.Done()
}

// SendHeader posts headers the handler sends now to the call actor (callctx.HeaderSender).
func (h *handler) SendHeader(md wire.Metadata, encoding string) {
	h.system.Root.Send(h.self, &sendHeaders{md: md, encoding: encoding})
}

// NewUnaryServer returns the actor serving one incoming stream.
func NewUnaryServer(p ServerParams) *UnaryServer { return &UnaryServer{p: p} }

// Props returns the props to spawn s with, once, in system: s is its own dispatcher's
// home (actors.Lender), so a failed s is never restarted with another instance.
func (s *UnaryServer) Props(system *actor.ActorSystem) *actor.Props {
	s.lender.InitServe(system)
	return actors.LentProps(func(*actor.ActorSystem) actor.Actor { return s }, &s.lender)
}

// Receive is the call actor's one switch.
func (s *UnaryServer) Receive(ctx actor.Context) {
	defer supervisor.KeepStack()
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.start(ctx)
	case *actors.DataReceived:
		s.onData(ctx, m.Data, m.EndStream)
	case *actors.HeadersReceived: // trailers from the client: only END_STREAM matters
		s.onData(ctx, nil, m.EndStream)
	case *actors.StreamReset:
		s.ended = true
		s.cancelHandler()
		s.stopIfDone(ctx)
	case *deadlineExceeded:
		s.hctx.Expire() // the handler's ctx ends with DeadlineExceeded
		s.respondError(ctx, wire.NewStatus(wire.DeadlineExceeded, "context deadline exceeded"))
	case *sendHeaders:
		s.writeHeaders(ctx, m.md, m.encoding)
	case *handlerReturned:
		s.onReturned(ctx, m)
	case *handlerPanicked:
		s.running = false
		s.panicked = m.p
		panic(m.p) // the actor fails; its supervisor stops it; Stopping ends the call
	case *actor.Stopping:
		s.onStopping(ctx)
	case *actor.Stopped:
		ctx.Send(s.conn, &actors.OwnerStopped{})
		s.lender.End()
	}
}

func (s *UnaryServer) start(ctx actor.Context) {
	s.self, s.conn, s.id = ctx.Self(), s.p.Stream.Conn, s.p.Stream.StreamID
	s.dec.MaxSize, s.dec.PoolLarge = s.p.MaxRecv, true
	s.req, s.method = s.p.Req, s.p.Method
	var deadline time.Time
	if s.req.HasTimeout {
		deadline = time.Now().Add(s.req.Timeout)
	}
	s.hctx = &s.h
	s.h.system, s.h.self = ctx.ActorSystem(), s.self
	s.hctx.Init(s.p.BaseCtx, deadline, s.req.HasTimeout)
	if s.req.HasTimeout {
		system, self := ctx.ActorSystem(), s.self
		s.timer = time.AfterFunc(s.req.Timeout, func() { system.Root.Send(self, &deadlineExceeded{}) })
	}
	if s.p.Stream.EndStream {
		s.onData(ctx, nil, true)
	}
}

func (s *UnaryServer) onData(ctx actor.Context, data []byte, end bool) {
	if s.ended || s.started {
		return
	}
	if len(data) > 0 {
		s.feed(data)
		payload, compressed, ok, err := s.dec.Next()
		if err != nil {
			s.respondError(ctx, statusOf(err))
			return
		}
		if ok {
			s.startHandler(ctx, payload, compressed)
			return
		}
	}
	if end {
		if err := s.dec.Finish(); err != nil {
			s.respondError(ctx, statusOf(err))
			return
		}
		s.respondError(ctx, wire.NewStatus(wire.Internal, "grpc: client ended the stream without a request message"))
	}
}

// feed hands a DATA payload (which the call owns) to the decoder, which keeps it if it
// holds the whole request; else it is copied and given back at once.
func (s *UnaryServer) feed(data []byte) {
	if !s.dec.FeedOwned(data) {
		actors.ReleaseData(data)
	} else if s.held == nil {
		s.held = data
	}
}

// startHandler decodes the request and runs the handler.
func (s *UnaryServer) startHandler(ctx actor.Context, payload []byte, compressed bool) {
	s.started = true
	if compressed {
		comp := wire.CompressorByName(s.req.Encoding)
		if s.req.Encoding == "" || s.req.Encoding == "identity" {
			s.respondError(ctx, wire.NewStatus(wire.Internal, "grpc: compressed flag set on a message without grpc-encoding"))
			return
		}
		if comp == nil {
			s.respondError(ctx, wire.NewStatus(wire.Unimplemented, fmt.Sprintf("grpc: Decompressor is not installed for grpc-encoding %q", s.req.Encoding)))
			return
		}
		out, err := comp.Decompress(nil, payload, s.dec.MaxSize)
		if err != nil {
			s.respondError(ctx, statusOf(err))
			return
		}
		payload = out
	}
	req := s.method.NewRequest()
	err := proto.Unmarshal(payload, req) // copies what it keeps
	actors.ReleaseData(s.held)
	s.held = nil
	s.dec.Release()
	if err != nil {
		s.respondError(ctx, wire.NewStatus(wire.Internal, "grpc: error unmarshalling request: "+err.Error()))
		return
	}
	hctx := s.hctx
	s.sc = hctx.InitCallLazy(s.req, s.p.Compressor, hctx) // metadata built if the handler asks
	s.sc.SetRecvCompressed(compressed)
	if s.method.Func == nil {
		ctx.Send(s.method.Actor, &UnaryCall{Method: s.req.Path, Request: req, ctx: hctx, call: s.self, incoming: s.sc.IncomingMetadata()})
		return
	}
	s.running = true
	s.p.Handlers.Add(1)
	hctx.fn, hctx.req, hctx.wg = s.method.Func, req, s.p.Handlers
	s.lender.Block(hctx) // on the actor's own goroutine if this run is on it
}

func (s *UnaryServer) onReturned(ctx actor.Context, m *handlerReturned) {
	if m.fromFn {
		s.running = false
	}
	if s.ended {
		s.stopIfDone(ctx)
		return
	}
	header, headerSent, trailer := s.sc.Finish()
	header = callctx.Join(header, m.header)
	trailer = callctx.Join(trailer, m.trailer)
	if headerSent {
		header = nil
	}
	if m.err != nil || m.resp == nil {
		st := statusOf(m.err)
		if m.err == nil {
			st = wire.NewStatus(wire.Internal, "grpc: handler returned neither a response nor an error")
		}
		s.writeStatus(ctx, header, st, trailer)
		return
	}
	data, err := wire.EncodeMessagePooled(m.resp, s.sc.SendCompressor(), s.p.MaxSend) // WriteStream.ReleaseData
	if err != nil {
		s.writeStatus(ctx, header, statusOf(err), trailer)
		return
	}
	s.writeResponse(ctx, header, s.sc.HeaderEncoding(), data, trailer)
}

// stopIfDone stops the actor once the call has ended and its handler goroutine returned.
func (s *UnaryServer) stopIfDone(ctx actor.Context) {
	if s.ended && !s.running {
		ctx.Stop(s.self)
	}
}

func (s *UnaryServer) cancelHandler() {
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.hctx != nil {
		s.hctx.Cancel()
	}
}

// onStopping ends the call if nothing else did: the actor failed (a panicking handler) or
// its connection is going away.
func (s *UnaryServer) onStopping(ctx actor.Context) {
	s.cancelHandler()
	if s.ended {
		return
	}
	st := wire.NewStatus(wire.Unavailable, "server is closing the connection")
	if s.panicked != nil {
		st = wire.NewStatus(wire.Internal, fmt.Sprintf("grpc: handler panicked: %v", s.panicked.Value))
	}
	s.writeStatus(ctx, nil, st, nil)
}

// UnaryCall is one call delivered to an actor that serves a method. The actor answers
// with Respond or Fail, once; until then the call waits (bounded by its deadline).
type UnaryCall struct {
	// Method is the full method name, "/pkg.Service/Method".
	Method string
	// Request is the decoded request message.
	Request proto.Message

	ctx      context.Context
	call     *actor.PID
	incoming wire.Metadata
	header   wire.Metadata
	trailer  wire.Metadata
}

// Context is the call's context: its deadline, and cancelled when the client cancels.
func (c *UnaryCall) Context() context.Context { return c.ctx }

// Incoming is the request's metadata.
func (c *UnaryCall) Incoming() wire.Metadata { return c.incoming }

// SetHeader adds md to the response headers sent with Respond or Fail.
func (c *UnaryCall) SetHeader(md wire.Metadata) { c.header = callctx.Join(c.header, md) }

// SetTrailer adds md to the trailing metadata sent with the status.
func (c *UnaryCall) SetTrailer(md wire.Metadata) { c.trailer = callctx.Join(c.trailer, md) }

// Respond answers the call with resp and status OK.
func (c *UnaryCall) Respond(sender actor.SenderContext, resp proto.Message) {
	sender.Send(c.call, &handlerReturned{resp: resp, header: c.header, trailer: c.trailer})
}

// Fail answers the call with the status err carries.
func (c *UnaryCall) Fail(sender actor.SenderContext, err error) {
	if err == nil {
		err = wire.NewStatus(wire.Unknown, "actor handler failed with a nil error")
	}
	sender.Send(c.call, &handlerReturned{err: err, header: c.header, trailer: c.trailer})
}
