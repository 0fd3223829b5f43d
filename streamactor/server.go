package streamactor

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/callactor"
	"github.com/actorrpc/actorrpc/internal/callctx"
	"github.com/actorrpc/actorrpc/supervisor"
	"github.com/actorrpc/actorrpc/wire"
)

// Messages the server stream actor posts to itself.

// handlerReturned is posted by the handler goroutine.
type handlerReturned struct{ err error }

// deadlineExceeded is posted by the call's deadline timer.
type deadlineExceeded struct{}

// handlerPanicked is posted by the handler goroutine when the handler panicked.
type handlerPanicked struct{ p *supervisor.Panic }

// sendHeaders is posted by SendHeader in the handler.
type sendHeaders struct {
	md       wire.Metadata
	encoding string
}

// Method is how a server serves one streaming method.
type Method struct {
	// Handler, when set, is a blocking handler run in a goroutine the actor owns.
	Handler func(ctx context.Context, stream *ServerStream) error
	// Actor, when Handler is nil, receives IncomingCall, StreamMessage and StreamEnd.
	Actor *actor.PID
	// NewRequest decodes received messages for an Actor.
	NewRequest func() proto.Message
}

// ServerParams describes one incoming streaming call.
type ServerParams struct {
	Stream     actors.IncomingStream
	Req        *wire.RequestHeaders
	Method     *Method
	MaxRecv    int
	MaxSend    int
	SendBuffer int
	BaseCtx    context.Context
	Handlers   *sync.WaitGroup
	// Compressor is the response compressor when the client accepts it ("" for none).
	Compressor string
	// Window is the stream's receive window as the connection was configured (<= 0: its
	// default).
	Window int
	// Lender, when set, is the actor's dispatcher (actors.LentProps, prepared with
	// InitOffer): the handler's receiving goroutine lends itself while it waits.
	Lender *actors.Lender
}

// Server is the server side of one streaming call.
type Server struct {
	p        ServerParams
	self     *actor.PID
	conn     *actor.PID
	id       uint32
	in       inbox
	out      outbox
	sentHead bool
	ended    *wire.Status // the call's status once decided
	running  bool
	cancel   func()
	expire   func()
	timer    *time.Timer
	sc       *callctx.ServerCall
	panicked *supervisor.Panic
	ref      *StreamRef // an actor handler's handle on the stream
}

// NewServer returns the actor serving one streaming call.
func NewServer(p ServerParams) *Server { return &Server{p: p} }

// Receive is the stream actor's one switch.
func (s *Server) Receive(ctx actor.Context) {
	defer supervisor.KeepStack()
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.start(ctx)
	case *actors.DataReceived:
		s.onDataRun(ctx, m)
	case *actors.HeadersReceived: // client trailers: END_STREAM is what matters
		s.onDataRun(ctx, &actors.DataReceived{EndStream: m.EndStream})
	case *actors.DataSent:
		s.out.sent(ctx, s.conn, s.id, m.N)
	case *actors.StreamReset:
		s.onReset(ctx, m.Status)
	case *takeMore:
		s.in.pulled(ctx, s.conn, s.id, m.consumed)
		s.checkDecoded(ctx)
	case *Send:
		s.send(ctx, m)
	case *sendHeaders:
		s.writeHeaders(ctx, m.md, m.encoding)
	case *SendHeader:
		s.writeHeaders(ctx, m.Header, s.sc.HeaderEncoding())
	case *Finish:
		s.finish(ctx, m.Err, nil, m.Trailer)
	case *Cancel: // from the serving actor: end now, queued messages dropped
		s.abort(ctx, m.Status)
	case *handlerReturned:
		s.running = false
		header, headerSent, trailer := s.sc.Finish()
		if headerSent {
			header = nil
		}
		s.finish(ctx, m.err, header, trailer)
		s.stopIfDone(ctx)
	case *handlerPanicked:
		s.running = false
		s.panicked = m.p
		panic(m.p) // the actor fails; its supervisor stops it; Stopping ends the call
	case *deadlineExceeded:
		s.expire() // the handler's ctx ends with DeadlineExceeded
		s.abort(ctx, wire.NewStatus(wire.DeadlineExceeded, "context deadline exceeded"))
	case *actor.Stopping:
		s.onStopping(ctx)
	case *actor.Stopped:
		ctx.Send(s.conn, &actors.OwnerStopped{})
	}
}

func (s *Server) start(ctx actor.Context) {
	s.self, s.conn, s.id = ctx.Self(), s.p.Stream.Conn, s.p.Stream.StreamID
	s.in.dec.MaxSize = s.p.MaxRecv
	s.in.encoding = s.p.Req.Encoding
	s.out.limit = s.p.SendBuffer
	if s.out.limit <= 0 {
		s.out.limit = DefaultSendBuffer
	}
	system, self := ctx.ActorSystem(), s.self
	hctx, expire, cancel := callctx.NewHandlerContext(s.p.BaseCtx, time.Now().Add(s.p.Req.Timeout), s.p.Req.HasTimeout)
	if s.p.Req.HasTimeout {
		s.timer = time.AfterFunc(s.p.Req.Timeout, func() { system.Root.Send(self, &deadlineExceeded{}) })
	}
	s.cancel, s.expire = cancel, expire
	s.sc = callctx.NewServerCall(s.p.Req.Path, s.p.Req.Metadata, s.p.Req.AcceptEncoding, s.p.Compressor, func(md wire.Metadata, enc string) {
		system.Root.Send(self, &sendHeaders{md: md, encoding: enc})
	})
	hctx = callctx.WithServerCall(hctx, s.sc)
	if s.p.Stream.EndStream {
		s.in.end(io.EOF)
	}
	if s.p.Method.Handler == nil {
		s.ref = NewStreamRefWith(self, wire.CompressorByName(s.p.Compressor), s.p.MaxSend)
		ctx.Send(s.p.Method.Actor, &IncomingCall{Method: s.p.Req.Path, Stream: s.ref, Ctx: hctx, Incoming: s.p.Req.Metadata})
		return
	}
	s.running = true
	s.p.Handlers.Add(1)
	h := NewHandle(s.out.limit, s.p.Window)
	h.Bind(system, self)
	h.LendTo(s.p.Lender)
	s.in.out, s.in.more, s.in.lender, s.out.handle = h.msgs, h.more, h.lender, h
	stream := &ServerStream{ctx: hctx, h: h}
	go runHandler(system, self, s.p.Handlers, s.p.Method.Handler, hctx, stream)
}

// runHandler runs a blocking handler and posts its outcome.
func runHandler(system *actor.ActorSystem, self *actor.PID, wg *sync.WaitGroup, fn func(context.Context, *ServerStream) error, ctx context.Context, stream *ServerStream) {
	defer wg.Done()
	defer func() {
		if r := recover(); r != nil {
			system.Root.Send(self, &handlerPanicked{p: supervisor.Recovered(r)})
		}
	}()
	err := fn(ctx, stream)
	system.Root.Send(self, &handlerReturned{err: err})
}

// onDataRun queues the messages of m and of the frames chained to it (DataReceived.Next),
// then delivers.
func (s *Server) onDataRun(ctx actor.Context, m *actors.DataReceived) {
	free := 0
	for d := m; d != nil; d = d.Next {
		n, ok := s.queue(ctx, d.Data, d.EndStream)
		if !ok {
			return
		}
		free += n
	}
	s.in.release(ctx, s.conn, s.id, free)
	s.deliver(ctx)
}

// queue feeds data to the inbox, and ends it with end; it returns the window to give back
// for a message not yet whole, and false if the stream has ended (before, or now: data
// or the end could not be decoded).
func (s *Server) queue(ctx actor.Context, data []byte, end bool) (free int, ok bool) {
	if s.ended != nil {
		return 0, false
	}
	if len(data) > 0 {
		n, err := s.in.feed(data)
		if err != nil {
			s.cancelHandler()
			s.abort(ctx, statusOf(err))
			return 0, false
		}
		free = n
	}
	if end {
		if err := s.in.dec.Finish(); err != nil {
			s.cancelHandler()
			s.abort(ctx, statusOf(err))
			return 0, false
		}
		s.in.end(io.EOF)
	}
	return free, true
}

// deliver serves waiting Recvs, or pushes messages to an actor handler.
func (s *Server) deliver(ctx actor.Context) {
	if s.p.Method.Handler != nil {
		s.in.push()
		s.checkDecoded(ctx)
		return
	}
	ref := s.ref
	for s.in.queued() > 0 {
		r := s.in.take()
		s.in.release(ctx, s.conn, s.id, r.size)
		if r.Err != nil {
			s.abort(ctx, statusOf(r.Err))
			return
		}
		msg := s.p.Method.NewRequest()
		err := proto.Unmarshal(r.Payload, msg)
		r.Release()
		if err != nil {
			s.abort(ctx, wire.NewStatus(wire.Internal, "grpc: error unmarshalling request: "+err.Error()))
			return
		}
		ctx.Send(s.p.Method.Actor, &StreamMessage{Stream: ref, Msg: msg})
	}
	if s.in.ended && !s.in.taken {
		s.in.taken = true
		var err error
		if !isEOF(s.in.endErr) {
			err = s.in.endErr
		}
		ctx.Send(s.p.Method.Actor, &StreamEnd{Stream: ref, Err: err})
	}
}

// send queues a message. One after the end is dropped: the handle returns the send
// error (Handle.sendErr). The size limit was checked where the message was encoded (the
// handle's SendMsg, StreamRef.Send).
func (s *Server) send(ctx actor.Context, m *Send) {
	if s.ended != nil || s.out.closing {
		return
	}
	s.writeHeaders(ctx, nil, s.sc.HeaderEncoding())
	s.out.push(ctx, s.conn, s.id, m)
}

// sendError is what a Send after the end returns.
func (s *Server) sendError() error {
	if s.ended != nil && s.ended.Code() != wire.OK {
		return s.ended
	}
	return wire.NewStatus(wire.Internal, "grpc: send after the call has finished")
}

// writeHeaders sends the response headers if they have not gone out yet. md adds to the
// headers the handler set.
func (s *Server) writeHeaders(ctx actor.Context, md wire.Metadata, encoding string) {
	if s.sentHead || s.ended != nil {
		return
	}
	fields, err := wire.AppendResponseHeaders(nil, callactor.ResponseHeaders(s.p.Req.ContentSubtype, encoding, md))
	if err != nil {
		fields, _ = wire.AppendResponseHeaders(nil, callactor.ResponseHeaders(s.p.Req.ContentSubtype, encoding, nil))
	}
	s.sentHead = true
	ctx.Send(s.conn, &actors.WriteStream{StreamID: s.id, Headers: fields})
}

// finish ends the call with the handler's outcome, after the queued messages.
func (s *Server) finish(ctx actor.Context, err error, header, trailer wire.Metadata) {
	if s.ended != nil {
		return
	}
	st := wire.NewStatus(wire.OK, "")
	if err != nil {
		st = statusOf(err)
	}
	s.ended = st
	if s.out.handle != nil {
		s.out.handle.closeSend(s.sendError())
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	w := callactor.StatusWrite(s.sentHead, s.p.Req.ContentSubtype, header, st, trailer)
	s.sentHead = true
	s.out.last = w
	s.out.closing = true
	s.out.flush(ctx, s.conn, s.id)
	s.stopIfDone(ctx)
}

// checkDecoded ends the call with the status of a message the handler's Recv could not be
// given (it could not be decompressed), as grpc-go does.
func (s *Server) checkDecoded(ctx actor.Context) {
	if err := s.in.takeFailed(); err != nil {
		s.abort(ctx, statusOf(err))
	}
}

// abort ends the call at once with st: queued messages are dropped, the status is sent.
func (s *Server) abort(ctx actor.Context, st *wire.Status) {
	if s.ended != nil {
		return
	}
	s.out.fail(st)
	s.finish(ctx, st, nil, nil)
	s.in.end(st)
	s.in.push()
}

// onReset: the client reset the stream or the connection ended.
func (s *Server) onReset(ctx actor.Context, st *wire.Status) {
	s.cancelHandler()
	if s.ended == nil {
		s.ended = st
	}
	s.out.fail(st)
	s.in.drop()
	s.in.end(st)
	s.in.push()
	if s.p.Method.Handler == nil {
		s.deliver(ctx)
	}
	s.stopIfDone(ctx)
}

func (s *Server) cancelHandler() {
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.cancel != nil {
		s.cancel()
	}
}

// stopIfDone stops the actor once the status is out and the handler has returned.
func (s *Server) stopIfDone(ctx actor.Context) {
	if s.ended != nil && !s.running && (s.out.closed || s.out.last == nil) {
		s.cancelHandler()
		ctx.Stop(s.self)
	}
}

// onStopping ends the call if nothing else did: a panicking handler, or the server going
// away.
func (s *Server) onStopping(ctx actor.Context) {
	s.cancelHandler()
	if s.ended != nil {
		return
	}
	st := wire.NewStatus(wire.Unavailable, "server is closing the connection")
	if s.panicked != nil {
		st = wire.NewStatus(wire.Internal, fmt.Sprintf("grpc: handler panicked: %v", s.panicked.Value))
	}
	s.ended = st
	s.out.fail(st)
	s.in.end(st)
	s.in.push()
	w := callactor.StatusWrite(s.sentHead, s.p.Req.ContentSubtype, nil, st, nil)
	w.StreamID = s.id
	ctx.Send(s.conn, w)
}
