package actorrpc

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/callactor"
	"github.com/actorrpc/actorrpc/internal/callctx"
	"github.com/actorrpc/actorrpc/supervisor"
	"github.com/actorrpc/actorrpc/wire"
)

// State is a Channel's connectivity state.
type State = actors.State

// The connectivity states (gRPC's connectivity-semantics-and-api.md).
const (
	// Idle: no connection; the next call or Connect starts one.
	Idle = actors.Idle
	// Connecting: a connection is being made.
	Connecting = actors.Connecting
	// Ready: connected; calls go out at once.
	Ready = actors.Ready
	// TransientFailure: the last attempt failed; the next follows after a backoff.
	TransientFailure = actors.TransientFailure
	// Shutdown: the channel is closed.
	Shutdown = actors.Shutdown
)

// StateChanged is the message an actor subscribed with Channel.Subscribe receives for each
// transition (first the current state, with From == To).
type StateChanged = actors.StateChanged

// version is sent in the user-agent header.
const version = "actorrpc-go/0.1.0"

// Channel is a virtual connection to one target (host:port). It connects lazily, reconnects
// with backoff, and carries any number of concurrent calls. It is safe for concurrent use.
type Channel struct {
	target    string
	authority string
	userAgent string
	system    *actor.ActorSystem
	pid       *actor.PID
	state     *atomic.Int32
	opts      dialOptions
	// ready is the READY connection, published by the channel actor (nil in any other
	// state): a unary call opens its stream on it directly (openDirect).
	ready *atomic.Pointer[actor.PID]
	// calls spawns the calls openDirect starts, under a guardian that stops a failed call.
	calls *actor.RootContext

	// headers caches the request headers of calls without metadata, deadline or compression.
	headers headerCache

	// mu orders StartCall messages before the close message: Close takes it exclusively.
	mu     sync.RWMutex
	closed bool
}

var _ ClientConnInterface = (*Channel)(nil)

// Dial returns a Channel to target ("host:port", or "dns:///host:port") at once, in state
// IDLE; the first call or Connect starts connecting.
func Dial(target string, opts ...DialOption) (*Channel, error) {
	addr := strings.TrimPrefix(strings.TrimPrefix(target, "dns:///"), "passthrough:///")
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, Errorf(InvalidArgument, "actorrpc: bad target %q: %v", target, err)
	}
	var o dialOptions
	for _, opt := range opts {
		opt.applyDial(&o)
	}
	if o.system == nil {
		o.system = actors.DefaultSystem()
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	o.maxRecv = defaultMax(o.maxRecv, wire.DefaultMaxRecvMessageSize)
	o.maxSend = defaultMax(o.maxSend, wire.DefaultMaxSendMessageSize)
	c := &Channel{target: addr, authority: addr, userAgent: version, system: o.system, state: new(atomic.Int32), opts: o,
		ready: new(atomic.Pointer[actor.PID])}
	c.calls = actor.NewRootContext(o.system, nil).WithGuardian(supervisor.StopOnFailure(o.logger))
	if o.authority != "" {
		c.authority = o.authority
	}
	if o.userAgent != "" {
		c.userAgent = o.userAgent + " " + version
	}
	c.pid = o.system.Root.Spawn(actors.NewChannelProps(actors.ChannelParams{
		System: o.system, Target: addr, Dial: o.dialer, Conn: o.conn, Backoff: o.backoff, Logger: o.logger, State: c.state, Ready: c.ready,
		Rand: o.random, IdleTimeout: idleTimeout(o.idleTimeout),
	}))
	return c, nil
}

// idleTimeout is the Channel's idle timeout: the option's, or the default.
func idleTimeout(set *time.Duration) time.Duration {
	if set == nil {
		return defaultIdleTimeout
	}
	return max(*set, 0)
}

// Target returns the address the Channel connects to.
func (c *Channel) Target() string { return c.target }

// ActorSystem returns the actor system the Channel's actors run in.
func (c *Channel) ActorSystem() *actor.ActorSystem { return c.system }

// State returns the current connectivity state.
func (c *Channel) State() State { return State(c.state.Load()) }

// Connect makes an IDLE channel start connecting.
func (c *Channel) Connect() { c.send(&actors.Connect{}) }

// WaitForStateChange blocks until the state differs from from (true) or ctx is done (false).
func (c *Channel) WaitForStateChange(ctx context.Context, from State) bool {
	if c.State() != from {
		return true // as grpc-go: a state that already differs wins over a done ctx
	}
	reply := make(chan actors.StateChanged, 1)
	if !c.send(&actors.WatchState{From: from, Reply: reply}) {
		return from != Shutdown
	}
	select {
	case <-reply:
		return true
	case <-ctx.Done():
		return false
	}
}

// Subscribe makes the channel send every state transition to the actor pid as a
// *StateChanged message, starting with the current state.
func (c *Channel) Subscribe(pid *actor.PID) { c.send(&actors.SubscribeState{PID: pid}) }

// Unsubscribe ends a Subscribe.
func (c *Channel) Unsubscribe(pid *actor.PID) { c.send(&actors.UnsubscribeState{PID: pid}) }

// send posts msg to the channel actor unless the channel is closed.
func (c *Channel) send(msg any) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return false
	}
	c.system.Root.Send(c.pid, msg)
	return true
}

// Close shuts the channel down: state SHUTDOWN, live calls end CANCELLED, the connection
// closes with GOAWAY, and calls started afterwards fail at once. It waits until every
// actor of the channel has stopped.
func (c *Channel) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	// A poison pill is a user message, so calls started before Close are spawned first
	// and then end CANCELLED as the channel's children stop.
	if err := c.system.Root.PoisonFuture(c.pid).Wait(); err != nil {
		return fmt.Errorf("actorrpc: closing channel: %w", err)
	}
	c.state.Store(int32(Shutdown))
	return nil
}

// Invoke performs a unary call and blocks until it ends.
// The caller's goroutine, which would only wait, runs the call actor meanwhile
// (actors.Lender): the response is decoded where the caller resumes.
func (c *Channel) Invoke(ctx context.Context, method string, req, resp proto.Message, opts ...CallOption) error {
	u := &unaryCall{resp: resp, blocking: true}
	u.lender.InitLend(c.system)
	c.startUnary(ctx, method, req, u, opts)
	u.lender.Lend()
	return u.err
}

// StartUnary begins a unary call without blocking; done is called once when it ends.
func (c *Channel) StartUnary(ctx context.Context, method string, req, resp proto.Message, done func(error), opts ...CallOption) {
	c.startUnary(ctx, method, req, &unaryCall{resp: resp, done: done}, opts)
}

// unaryCall is one unary call as the Channel starts it, in one allocation: the call actor
// (the channel actor spawns it through start's CallMaker), the result it reports to
// (callactor.ClientResult), and how the caller hears of the end (done, or lender and err).
type unaryCall struct {
	actor callactor.UnaryClient
	start actors.StartCall
	open  actors.OpenStream // start.Open
	co    callOptions
	resp  proto.Message
	done  func(error) // StartUnary's callback, or, when blocking, Invoke's loan:
	// lender runs the call actor on Invoke's goroutine until the call ends (End): err is
	// written before End.
	lender   actors.Lender
	err      error
	blocking bool
}

var (
	_ callactor.ClientResult = (*unaryCall)(nil)
	_ actors.CallMaker       = (*unaryCall)(nil)
)

// NewCall makes the call actor; the channel actor calls it once, to spawn it.
func (u *unaryCall) NewCall(conn *actor.PID) actor.Actor {
	u.actor.Picked(conn, conn != nil) // the channel actor sends start.Open to a READY connection
	return &u.actor
}

// Decode unmarshals the response (from the call actor).
func (u *unaryCall) Decode(b []byte) error { return proto.Unmarshal(b, u.resp) }

// Done reports the outcome (from the call actor, once).
func (u *unaryCall) Done(header, trailer wire.Metadata, err error) {
	if u.co.header != nil {
		*u.co.header = header
	}
	if u.co.trailer != nil {
		*u.co.trailer = trailer
	}
	u.end(err)
}

func (u *unaryCall) end(err error) {
	if u.blocking {
		u.err = err
		u.lender.End()
		return
	}
	u.done(err)
}

// startUnary builds the call's request and has the channel actor spawn its actor.
func (c *Channel) startUnary(ctx context.Context, method string, req proto.Message, u *unaryCall, opts []CallOption) {
	c.fillCallOptions(&u.co, opts)
	if err := c.unaryParams(ctx, method, req, u); err != nil {
		u.end(err)
		return
	}
	if c.openDirect(u) {
		return
	}
	u.start = actors.StartCall{Call: u, Open: &u.open, WaitForReady: u.co.waitForReady}
	if u.blocking {
		u.start.Lender = &u.lender
	}
	if !c.send(&u.start) {
		u.end(Errorf(Canceled, "actorrpc: the channel is closed"))
	}
}

// openDirect starts a call on a READY channel without the channel actor: it spawns the call
// actor and sends its OpenStream to the connection itself, as the channel actor would
// (actors.StartCall.Open). The connection answers even if it stops meanwhile, and the call
// asks the channel actor for another connection if its stream never left
// (actors/conn_direct.go). It reports false when the channel is not READY (or closed).
func (c *Channel) openDirect(u *unaryCall) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	conn := c.ready.Load()
	if c.closed || conn == nil {
		return false
	}
	u.actor.Picked(conn, true)
	u.actor.SetChannel(c.pid)
	producer := func(*actor.ActorSystem) actor.Actor { return &u.actor }
	var props *actor.Props
	if u.blocking {
		props = actors.LentProps(producer, &u.lender)
	} else {
		props = actors.RuntimePropsWithSystem(c.system, producer)
	}
	pid := c.calls.Spawn(props)
	c.system.Root.RequestWithCustomSender(conn, &u.open, pid)
	return true
}

// fillCallOptions sets co from the Channel's defaults and opts, in place (a unary call's
// options live in its unaryCall); an unknown or identity compressor means none.
func (c *Channel) fillCallOptions(co *callOptions, opts []CallOption) {
	*co = callOptions{waitForReady: c.opts.waitForReady, maxRecv: c.opts.maxRecv, maxSend: c.opts.maxSend, compressor: c.opts.compressor}
	for _, o := range opts {
		o.applyCall(co)
	}
	if co.compressor == "identity" || wire.CompressorByName(co.compressor) == nil {
		co.compressor = ""
	}
}

// unaryParams builds the request headers and message of a call, and its actor and first
// OpenStream from them.
func (c *Channel) unaryParams(ctx context.Context, method string, req proto.Message, u *unaryCall) error {
	co := &u.co
	p := callactor.ClientParams{Ctx: ctx, MaxRecv: co.maxRecv, WaitForReady: co.waitForReady, Result: u}
	fields, deadline, hasDeadline, err := c.requestHeaders(ctx, method, co.compressor)
	if err != nil {
		return err
	}
	p.Headers, p.Deadline, p.HasDeadline = fields, deadline, hasDeadline
	// A large request comes from wire's pool: the call gives it back once the connection
	// wrote it (OpenStream.ReportWritten) and the call ended (it keeps it for a retry).
	if p.Request, err = wire.EncodeMessagePooled(req, wire.CompressorByName(co.compressor), co.maxSend); err != nil {
		return err
	}
	u.actor.Init(p)
	u.open = actors.OpenStream{Headers: p.Headers, Data: p.Request, EndStream: true, ReportWritten: wire.Pooled(p.Request)}
	return nil
}

// requestHeaders builds a call's request headers from ctx: metadata and deadline.
func (c *Channel) requestHeaders(ctx context.Context, method, compressor string) ([]hpack.HeaderField, time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, false, StatusOf(err).Err()
	}
	md := callctx.Outgoing(ctx)
	d, hasDeadline := ctx.Deadline()
	cacheable := len(md) == 0 && !hasDeadline && compressor == ""
	if cacheable {
		if fields, ok := c.headers.get(method); ok {
			return fields, d, false, nil
		}
	}
	h := wire.RequestHeaders{Path: method, Authority: c.authority, UserAgent: c.userAgent, Metadata: md,
		Encoding: compressor, AcceptEncoding: callactor.SupportedEncodings}
	if hasDeadline {
		h.HasTimeout, h.Timeout = true, time.Until(d)
		if h.Timeout <= 0 {
			return nil, d, true, Errorf(DeadlineExceeded, "context deadline exceeded")
		}
	}
	fields, err := wire.AppendRequestHeaders(nil, &h)
	if err != nil {
		return nil, d, hasDeadline, Errorf(Internal, "actorrpc: invalid request metadata: %s", StatusOf(err).Message())
	}
	if cacheable {
		c.headers.put(method, fields)
	}
	return fields, d, hasDeadline, nil
}
