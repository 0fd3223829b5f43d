package actorrpc

import (
	"context"
	"io"
	"runtime"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/callwatch"
	"github.com/actorrpc/actorrpc/streamactor"
	"github.com/actorrpc/actorrpc/wire"
)

// StreamRef names a stream so that an actor can drive it by message: Send, CloseSend,
// Cancel (client side) and SendHeader, Finish (server side).
type StreamRef = streamactor.StreamRef

// StreamHeader is the message a subscribed actor receives with the response headers.
type StreamHeader = streamactor.StreamHeader

// StreamMessage is the message a subscribed actor receives for each message of a stream.
type StreamMessage = streamactor.StreamMessage

// StreamEnd is the last message a subscribed actor receives for a stream.
type StreamEnd = streamactor.StreamEnd

// IncomingStreamCall is the first message an actor serving a streaming method receives
// for each call.
type IncomingStreamCall = streamactor.IncomingCall

// NewStream starts a streaming call and returns its blocking handle. A handle that becomes
// unreachable before its call ended cancels the call, so an abandoned stream leaks nothing.
func (c *Channel) NewStream(ctx context.Context, desc *StreamDesc, method string, opts ...CallOption) (ClientStream, error) {
	co := c.callOptions(opts)
	p, err := c.streamParams(ctx, method, &co)
	if err != nil {
		return nil, err
	}
	p.Outcome = streamactor.NewOutcome()
	p.Handle = streamactor.NewHandle(p.SendBuffer, int(c.opts.conn.InitialWindowSize))
	lender := new(actors.Lender)
	lender.InitOffer(c.system)
	p.Handle.LendTo(lender)
	pid, err := c.spawnStream(p, co.waitForReady, lender)
	if err != nil {
		return nil, err
	}
	p.Handle.Bind(c.system, pid)
	cs := &clientStream{ctx: ctx, system: c.system, pid: pid, outcome: p.Outcome, h: p.Handle, maxSend: co.maxSend, comp: wire.CompressorByName(co.compressor)}
	runtime.AddCleanup(cs, cancelAbandoned, abandoned{system: c.system, pid: pid, outcome: p.Outcome})
	return cs, nil
}

// StartStream starts a streaming call driven by the actor subscriber.
func (c *Channel) StartStream(ctx context.Context, desc *StreamDesc, method string, subscriber *actor.PID, newResponse func() proto.Message, opts ...CallOption) (*StreamRef, error) {
	co := c.callOptions(opts)
	p, err := c.streamParams(ctx, method, &co)
	if err != nil {
		return nil, err
	}
	p.Subscriber, p.NewMessage = subscriber, newResponse
	p.Compressor, p.MaxSend = wire.CompressorByName(co.compressor), co.maxSend
	pid, err := c.spawnStream(p, co.waitForReady, nil)
	if err != nil {
		return nil, err
	}
	return streamactor.NewStreamRefWith(pid, p.Compressor, p.MaxSend), nil
}

// callOptions returns the Channel's defaults with opts applied.
func (c *Channel) callOptions(opts []CallOption) callOptions {
	var co callOptions
	c.fillCallOptions(&co, opts)
	return co
}

func (c *Channel) streamParams(ctx context.Context, method string, co *callOptions) (streamactor.ClientParams, error) {
	fields, deadline, hasDeadline, err := c.requestHeaders(ctx, method, co.compressor)
	if err != nil {
		return streamactor.ClientParams{}, err
	}
	return streamactor.ClientParams{
		Ctx: ctx, Deadline: deadline, HasDeadline: hasDeadline, Headers: fields, MaxRecv: co.maxRecv,
		WaitForReady: co.waitForReady,
	}, nil
}

// spawnStream has the channel actor spawn the stream actor (dispatched by lender, if set)
// and returns its PID.
func (c *Channel) spawnStream(p streamactor.ClientParams, waitForReady bool, lender *actors.Lender) (*actor.PID, error) {
	spawned := make(chan *actor.PID, 1)
	if !c.send(&actors.StartCall{
		NewCall:      func(conn *actor.PID) actor.Actor { q := p; q.Conn = conn; return streamactor.NewClient(q) },
		WaitForReady: waitForReady,
		Spawned:      spawned,
		Lender:       lender,
	}) {
		return nil, Errorf(Canceled, "actorrpc: the channel is closed")
	}
	pid := <-spawned
	if pid == nil {
		return nil, Errorf(Canceled, "actorrpc: the channel is closed")
	}
	return pid, nil
}

// abandoned is what the cleanup of a dropped stream handle needs (not the handle itself).
type abandoned struct {
	system  *actor.ActorSystem
	pid     *actor.PID
	outcome *streamactor.Outcome
}

// cancelAbandoned cancels the call of a collected handle, unless it has already ended.
func cancelAbandoned(a abandoned) {
	if a.outcome.Ended.Load() {
		return
	}
	a.system.Root.Send(a.pid, &streamactor.Cancel{Status: wire.NewStatus(wire.Canceled, "stream handle dropped without being drained or cancelled")})
}

// clientStream is the blocking handle of a client stream. Messages and send credit come
// through the stream actor's Handle; Header and Trailer post to the actor and wait on a
// reply channel of their own; each falls back on the Outcome if the actor is gone.
type clientStream struct {
	ctx     context.Context
	system  *actor.ActorSystem
	pid     *actor.PID
	outcome *streamactor.Outcome
	h       *streamactor.Handle
	maxSend int
	comp    wire.Compressor
	// recvErr is the response that could not be unmarshalled: the call ended with it, and
	// every later RecvMsg returns it (owned by the receiving goroutine).
	recvErr error
	// ctxDonePosted is set once an operation posted the call's ContextDone itself.
	ctxDonePosted atomic.Bool
}

// postIfContextDone posts the call's ContextDone before what an operation sends, if the
// caller's context has already ended. The context's own watch posts it too, but from a
// goroutine of its own: a caller that cancels and then half-closes could otherwise see the
// half-close reach the actor first, and the server answer OK before the cancel arrives.
// The actor ends the call only if it has not ended yet.
func (cs *clientStream) postIfContextDone() {
	select {
	case <-cs.ctx.Done():
		if !cs.outcome.Ended.Load() && cs.ctxDonePosted.CompareAndSwap(false, true) {
			cs.system.Root.Send(cs.pid, &callwatch.ContextDone{})
		}
	default:
	}
}

var _ ClientStream = (*clientStream)(nil)

func (cs *clientStream) Context() context.Context { return cs.ctx }

func (cs *clientStream) Header() (Metadata, error) {
	reply := make(chan streamactor.HeaderResult, 1)
	cs.system.Root.Send(cs.pid, &streamactor.HeaderRequest{Reply: reply})
	select {
	case r := <-reply:
		return r.Header, r.Err
	case <-cs.outcome.Done:
		if cs.outcome.Header == nil && cs.outcome.Err != nil {
			return nil, cs.outcome.Err
		}
		return cs.outcome.Header, nil
	}
}

func (cs *clientStream) Trailer() Metadata {
	reply := make(chan wire.Metadata, 1)
	cs.system.Root.Send(cs.pid, &streamactor.TrailerRequest{Reply: reply})
	select {
	case md := <-reply:
		return md
	case <-cs.outcome.Done:
		return cs.outcome.Trailer
	}
}

func (cs *clientStream) CloseSend() error {
	cs.postIfContextDone()
	cs.system.Root.Send(cs.pid, &streamactor.CloseSend{})
	return nil
}

func (cs *clientStream) SendMsg(m proto.Message) error {
	cs.postIfContextDone()
	o, err := streamactor.Encode(m, cs.comp, cs.maxSend)
	if err != nil {
		return err
	}
	if err := cs.h.Send(o, cs.outcome.Done); err != nil {
		return io.EOF // the call has ended: RecvMsg tells how
	}
	return nil
}

func (cs *clientStream) RecvMsg(m proto.Message) error {
	if cs.recvErr != nil {
		return cs.recvErr
	}
	cs.postIfContextDone()
	r, err := cs.recv()
	if err != nil {
		return err
	}
	err = proto.Unmarshal(r.Payload, m)
	r.Release() // m holds copies of what it keeps
	if err != nil {
		// As grpc-go: a response that cannot be unmarshalled ends the call with that status
		// (the stream is cancelled), and it stays the answer.
		st := wire.Statusf(wire.Internal, "grpc: failed to unmarshal the response: %v", err)
		cs.system.Root.Send(cs.pid, &streamactor.Cancel{Status: st})
		cs.recvErr = st
		return st
	}
	return nil
}

func (cs *clientStream) recv() (streamactor.RecvResult, error) {
	r, ok := cs.h.Recv(cs.outcome.Done)
	if ok {
		return r, r.Err
	}
	if cs.outcome.Err != nil {
		return streamactor.RecvResult{}, cs.outcome.Err
	}
	return streamactor.RecvResult{}, io.EOF
}

// recvFinal reads the one response and the end of a client-streaming call without
// blocking: fn is called from the stream actor.
func (cs *clientStream) recvFinal(fn func(payload []byte, err error)) {
	cs.system.Root.Send(cs.pid, &streamactor.RecvFinal{Fn: fn})
}
