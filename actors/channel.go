package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/supervisor"
	"github.com/actorrpc/actorrpc/wire"
)

// Commands to a channel actor.

// StartCall spawns a call actor as the channel's child. When the channel is READY the call
// gets the connection at once (NewCall's argument); otherwise NewCall gets nil and the call
// later receives ConnectionPicked or PickFailed.
type StartCall struct {
	NewCall func(conn *actor.PID) actor.Actor
	// Call makes the call actor when NewCall is nil: a caller that keeps the actor in its
	// own per-call state spares a closure.
	Call CallMaker
	// Open, when set, is the call's OpenStream: if the channel is READY, the channel actor
	// sends it to the connection right after it spawns the call, as if the call had sent it
	// (the call's first message then needs no hop through the call actor). The call is
	// made knowing it: its CallMaker gets a connection only when Open was sent to it.
	Open         *OpenStream
	WaitForReady bool
	// Lender, when set, dispatches the call actor (a caller that lends its goroutine).
	Lender *Lender
	// Spawned, when not nil, receives the call actor's PID (streams need it to be driven).
	Spawned chan<- *actor.PID
}

// CallMaker makes the actor of a call StartCall starts, given the connection (or nil).
type CallMaker interface {
	NewCall(conn *actor.PID) actor.Actor
}

func (m *StartCall) newCall(conn *actor.PID) actor.Actor {
	if m.NewCall != nil {
		return m.NewCall(conn)
	}
	return m.Call.NewCall(conn)
}

// RetryCall asks for a connection again for Call, a child whose stream the server never
// processed (StreamReset.Unprocessed): the call gets ConnectionPicked, or PickFailed, as a
// new call would. WaitForReady is the call's own setting.
type RetryCall struct {
	Call         *actor.PID
	WaitForReady bool
}

// Connect asks an IDLE channel to connect now.
type Connect struct{}

// WatchState asks for one notification on Reply when the state is no longer From.
type WatchState struct {
	From  State
	Reply chan<- StateChanged
}

// SubscribeState makes the channel send every StateChanged to PID, starting with the
// current state (From == To).
type SubscribeState struct{ PID *actor.PID }

// UnsubscribeState ends a SubscribeState.
type UnsubscribeState struct{ PID *actor.PID }

// Facts a channel actor sends.

// ConnectionPicked gives a waiting call the connection to open its stream on.
type ConnectionPicked struct{ Conn *actor.PID }

// PickFailed ends a waiting call: the channel cannot give it a connection.
type PickFailed struct{ Status *wire.Status }

// ConnectionLost tells calls that a connection has stopped: a call still opening or using
// a stream on it ends UNAVAILABLE.
type ConnectionLost struct {
	Conn *actor.PID
	Err  error
}

// Status is what a call on the lost connection ends with.
func (m *ConnectionLost) Status() *wire.Status {
	cause := "connection actor stopped"
	if m.Err != nil {
		cause = m.Err.Error()
	}
	return wire.NewStatus(wire.Unavailable, "connection closed: "+cause)
}

// GaveUpWaiting adds why the channel was not ready (cause, from StillWaiting) to st, the
// status of a call that gave up waiting for a connection: "deadline exceeded" alone is the
// most common complaint of grpc-go's users. A nil cause leaves st as it is.
func GaveUpWaiting(st, cause *wire.Status) *wire.Status {
	if cause == nil {
		return st
	}
	return wire.NewStatus(st.Code(), st.Message()+" while waiting for the channel to be ready: "+cause.Message())
}

// StillWaiting tells a wait-for-ready call why it is still waiting (the channel went to
// TRANSIENT_FAILURE), so that if it gives up it can say why.
type StillWaiting struct{ Cause *wire.Status }

// ChannelClosing tells a call the channel is shutting down.
type ChannelClosing struct{}

// StateChanged is a connectivity transition and its cause.
type StateChanged struct {
	From, To State
	// Cause is why: the dial error, the GOAWAY, the closed connection; nil for none.
	Cause error
}

// ChannelParams configures a channel actor.
type ChannelParams struct {
	// System, when set, runs the runtime's actors on the system's warm dispatcher.
	System  *actor.ActorSystem
	Target  string
	Dial    func(ctx context.Context, addr string) (net.Conn, error)
	Conn    ConnConfig
	Backoff BackoffConfig
	Logger  *slog.Logger
	// State mirrors the state for lock-free reads; only the channel actor writes it.
	State *atomic.Int32
	// Ready, when set, mirrors the READY connection (nil in any other state), so that a
	// unary call can open its stream on it without a hop through the channel actor; only
	// the channel actor writes it.
	Ready *atomic.Pointer[actor.PID]
	// Rand returns uniform values in [0, 1) for backoff jitter (default math/rand/v2).
	Rand func() float64
	// IdleTimeout, when positive, closes the connection and moves to IDLE after that long
	// without calls (channel_idle.go).
	IdleTimeout time.Duration
}

// dialDone is posted by the dial goroutine.
type dialDone struct {
	attempt int
	conn    net.Conn
	err     error
}

// retryNow is posted by the backoff timer.
type retryNow struct{ attempt int }

// childStopped is posted to self for a child's Terminated.
type childStopped struct{ who *actor.PID }

// handshakeTimeout is posted when a connection did not become ready in time.
type handshakeTimeout struct{ attempt int }

// channel is the channel actor: it owns the connectivity state, the current connection,
// the dial in progress, backoff, waiting calls and watchers.
type channel struct {
	p     ChannelParams
	log   *slog.Logger
	self  *actor.PID
	state State
	cause error

	conn        *actor.PID // current connection actor (READY or handshaking)
	handshaking net.Conn   // conn's socket until it is READY: closed if the handshake fails
	attempt     int        // increments per connection attempt; stale messages are ignored
	retries     int        // failures since the last READY
	nextAttempt time.Time  // when the next attempt may start (this attempt's start + backoff)
	dialCancel  context.CancelFunc
	dialing     chan dialDone // the dial in flight also leaves its result here (cap 1)
	timer       *time.Timer
	waiting     []*actor.PID // calls waiting for a connection
	waitReady   map[string]bool
	watchers    []WatchState
	subscribers []*actor.PID
	conns       map[string]bool // connection children not yet stopped (the others are calls)
	idle        idleState       // live calls and the idle timer (channel_idle.go)
}

// NewChannelProps returns the props of a channel actor.
func NewChannelProps(p ChannelParams) *actor.Props {
	return RuntimeProps(p.System, func() actor.Actor { return &channel{p: p} },
		actor.WithSupervisor(supervisor.StopOnFailure(p.Logger)))
}

// Receive is the channel actor's one switch.
func (ch *channel) Receive(ctx actor.Context) {
	defer supervisor.KeepStack()
	switch m := ctx.Message().(type) {
	case *actor.Started:
		ch.self = ctx.Self()
		ch.log = ch.p.Logger
		ch.waitReady = make(map[string]bool)
		ch.conns = make(map[string]bool)
		ch.p.Backoff = ch.p.Backoff.withDefaults()
		if ch.p.Rand == nil {
			ch.p.Rand = rand.Float64
		}
		if ch.p.Dial == nil {
			d := &net.Dialer{}
			ch.p.Dial = func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
		}
	case *StartCall:
		ch.startCall(ctx, m)
	case *RetryCall:
		ch.pick(ctx, m.Call, m.WaitForReady)
	case *idleTimedOut:
		ch.onIdleTimeout(ctx)
	case *idleReport:
		ch.onIdleReport(ctx, m)
	case *Connect:
		if ch.state == Idle {
			ch.connect(ctx)
		}
	case *dialDone:
		ch.onDialDone(ctx, m)
	case *ConnectionReady:
		ch.onReady(ctx, m.Conn)
	case *ConnectionClosed:
		ch.onConnLost(ctx, m.Conn, m.Err)
	case *GoAwayReceived:
		ch.onGoAway(ctx, m)
	case *actor.Terminated:
		// A system message, so it can overtake the ConnectionClosed (with the real cause)
		// that the connection sent as it stopped: look at it after what is queued.
		ctx.Send(ch.self, &childStopped{who: m.Who})
	case *childStopped:
		ch.onTerminated(ctx, m.who)
	case *retryNow:
		if m.attempt == ch.attempt && ch.state == TransientFailure {
			ch.connect(ctx)
		}
	case *handshakeTimeout:
		if m.attempt == ch.attempt && ch.state == Connecting && ch.conn != nil {
			// Close the socket first: a write to a peer that never reads would keep the
			// connection actor from ever handling its stop.
			ch.closeHandshaking()
			ctx.Stop(ch.conn)
			ch.conn = nil
			ch.failAttempt(ctx, errors.New("timed out waiting for the server's HTTP/2 SETTINGS"))
		}
	case *WatchState:
		ch.watch(*m)
	case *SubscribeState:
		ch.subscribers = append(ch.subscribers, m.PID)
		ctx.Send(m.PID, &StateChanged{From: ch.state, To: ch.state, Cause: ch.cause})
	case *UnsubscribeState:
		ch.unsubscribe(m.PID)
	case *actor.Stopping:
		ch.shutdown(ctx)
	}
}

// startCall spawns the call as a child, with the connection if there is one.
func (ch *channel) startCall(ctx actor.Context, m *StartCall) {
	if ch.state == Shutdown {
		if m.Spawned != nil {
			m.Spawned <- nil
		}
		return
	}
	var conn *actor.PID
	if ch.state == Ready {
		conn = ch.conn
	}
	producer := func(*actor.ActorSystem) actor.Actor { return m.newCall(conn) }
	var props *actor.Props
	if m.Lender != nil {
		props = LentProps(producer, m.Lender)
	} else {
		props = RuntimePropsWithSystem(ch.p.System, producer)
	}
	pid := ctx.Spawn(props)
	if conn != nil && m.Open != nil {
		ctx.RequestWithCustomSender(conn, m.Open, pid)
	}
	ch.idle.calls++
	if m.Spawned != nil {
		m.Spawned <- pid
	}
	if conn != nil {
		return
	}
	ch.pick(ctx, pid, m.WaitForReady)
}

// pick gives the call pid the READY connection, or makes it wait for one (connecting an
// IDLE channel), or fails it in TRANSIENT_FAILURE unless it waits for ready.
func (ch *channel) pick(ctx actor.Context, pid *actor.PID, waitForReady bool) {
	switch ch.state {
	case Ready:
		ctx.Send(pid, &ConnectionPicked{Conn: ch.conn})
		return
	case Shutdown:
		ctx.Send(pid, &PickFailed{Status: wire.NewStatus(wire.Canceled, "channel closed")})
		return
	case TransientFailure:
		if !waitForReady {
			ctx.Send(pid, &PickFailed{Status: ch.unavailable()})
			return
		}
	}
	ch.waiting = append(ch.waiting, pid)
	if waitForReady {
		ch.waitReady[pid.Id] = true
	}
	if ch.state == Idle {
		ch.connect(ctx)
	}
}

func (ch *channel) unavailable() *wire.Status {
	msg := "channel is in TRANSIENT_FAILURE"
	if ch.cause != nil {
		msg += ": " + ch.cause.Error()
	}
	return wire.NewStatus(wire.Unavailable, msg)
}

// connect starts a dial in a goroutine owned by this actor.
func (ch *channel) connect(ctx actor.Context) {
	ch.attempt++
	leavesIdle := ch.state == Idle
	ch.setState(ctx, Connecting, ch.cause)
	if leavesIdle && ch.idle.calls == 0 {
		ch.noCalls(ctx) // Connect without a call: idle from now
	}
	// connection-backoff.md: current_deadline = now + current_backoff; the attempt gets
	// max(MIN_CONNECT_TIMEOUT, current_backoff); after a failure, sleep until the deadline.
	backoff := ch.p.Backoff.Delay(ch.retries, ch.p.Rand)
	ch.nextAttempt = time.Now().Add(backoff)
	timeout := ch.p.Backoff.ConnectTimeout(backoff)
	dctx, cancel := context.WithTimeout(context.Background(), timeout)
	ch.dialCancel = cancel
	results := make(chan dialDone, 1)
	ch.dialing = results
	attempt, system, self, dial, target := ch.attempt, ctx.ActorSystem(), ch.self, ch.p.Dial, ch.p.Target
	go func() {
		nc, err := dial(dctx, target)
		res := dialDone{attempt: attempt, conn: nc, err: err}
		results <- res
		system.Root.Send(self, &res)
	}()
	ch.timer = time.AfterFunc(timeout, func() { system.Root.Send(self, &handshakeTimeout{attempt: attempt}) })
}

func (ch *channel) onDialDone(ctx actor.Context, m *dialDone) {
	if m.attempt != ch.attempt || ch.state != Connecting {
		if m.conn != nil {
			_ = m.conn.Close()
		}
		return
	}
	ch.dialCancel()
	ch.dialCancel, ch.dialing = nil, nil
	if m.err != nil {
		ch.failAttempt(ctx, fmt.Errorf("dial %s: %w", ch.p.Target, m.err))
		return
	}
	ch.handshaking = m.conn
	ch.conn = ctx.Spawn(NewConnProps(ConnParams{System: ch.p.System, NetConn: m.conn, Client: true, Config: ch.p.Conn, Logger: ch.log, ChannelState: ch.p.State}))
	ch.conns[ch.conn.Id] = true
}

// failAttempt moves to TRANSIENT_FAILURE, fails the calls that do not wait for ready, and
// schedules the next attempt.
func (ch *channel) failAttempt(ctx actor.Context, cause error) {
	ch.stopTimer()
	ch.handshaking = nil
	ch.retries++
	ch.setState(ctx, TransientFailure, cause)
	st := ch.unavailable()
	kept := ch.waiting[:0]
	for _, pid := range ch.waiting {
		if ch.waitReady[pid.Id] {
			kept = append(kept, pid)
			ctx.Send(pid, &StillWaiting{Cause: st})
			continue
		}
		ctx.Send(pid, &PickFailed{Status: st})
	}
	ch.waiting = kept
	delay := max(time.Until(ch.nextAttempt), 0)
	attempt, system, self := ch.attempt, ctx.ActorSystem(), ch.self
	ch.timer = time.AfterFunc(delay, func() { system.Root.Send(self, &retryNow{attempt: attempt}) })
}

func (ch *channel) onReady(ctx actor.Context, conn *actor.PID) {
	if conn != ch.conn || ch.state != Connecting {
		return
	}
	ch.stopTimer()
	ch.handshaking = nil
	ch.retries = 0
	ch.setState(ctx, Ready, nil)
	for _, pid := range ch.waiting {
		ctx.Send(pid, &ConnectionPicked{Conn: conn})
		delete(ch.waitReady, pid.Id)
	}
	ch.waiting = nil
}

// onConnLost: a READY connection that breaks leaves the channel IDLE (as grpc-go); one that
// breaks while handshaking is a failed attempt.
func (ch *channel) onConnLost(ctx actor.Context, conn *actor.PID, err error) {
	ch.tellCalls(ctx, conn, err)
	if conn != ch.conn || ch.state == Shutdown {
		return
	}
	ch.conn = nil
	if ch.state == Connecting {
		ch.failAttempt(ctx, fmt.Errorf("connection closed before it was ready: %w", err))
		return
	}
	ch.setState(ctx, Idle, fmt.Errorf("connection closed: %w", err))
	if len(ch.waiting) > 0 {
		ch.connect(ctx)
	}
}

// tellCalls tells every call that a connection is gone. A call whose OpenStream reached
// the connection while it was stopping would otherwise wait forever: protoactor-go drops
// the messages left in a stopped actor's mailbox without a dead letter.
func (ch *channel) tellCalls(ctx actor.Context, conn *actor.PID, err error) {
	lost := &ConnectionLost{Conn: conn, Err: err}
	for _, child := range ctx.Children() {
		if !child.Equal(conn) {
			ctx.Send(child, lost)
		}
	}
}

// onGoAway: the draining connection finishes its streams; new calls need a new one.
func (ch *channel) onGoAway(ctx actor.Context, m *GoAwayReceived) {
	if m.Conn != ch.conn || ch.state == Shutdown {
		return
	}
	ch.backOffKeepalive(m)
	cause := fmt.Errorf("server sent GOAWAY(%s): %s", m.Code, m.Debug)
	if ch.state == Connecting {
		// Before READY the connection has no streams to finish and the calls waiting for it
		// would wait forever: the attempt failed.
		ch.closeHandshaking()
		ctx.Stop(ch.conn)
		ch.conn = nil
		ch.failAttempt(ctx, cause)
		return
	}
	ch.conn = nil
	ch.setState(ctx, Idle, cause)
}

func (ch *channel) onTerminated(ctx actor.Context, who *actor.PID) {
	if ch.conns[who.Id] {
		delete(ch.conns, who.Id)
		if ch.conn != nil && who.Equal(ch.conn) {
			ch.onConnLost(ctx, who, errors.New("connection actor stopped"))
		}
		return
	}
	ch.callEnded(ctx)
	for i, pid := range ch.waiting {
		if pid.Equal(who) {
			ch.waiting = append(ch.waiting[:i], ch.waiting[i+1:]...)
			delete(ch.waitReady, who.Id)
			break
		}
	}
}

func (ch *channel) setState(ctx actor.Context, to State, cause error) {
	from := ch.state
	ch.state, ch.cause = to, cause
	if ch.p.State != nil {
		ch.p.State.Store(int32(to))
	}
	if ch.p.Ready != nil {
		if to == Ready {
			ch.p.Ready.Store(ch.conn)
		} else {
			ch.p.Ready.Store(nil)
		}
	}
	if from == to {
		return
	}
	ev := StateChanged{From: from, To: to, Cause: cause}
	for _, w := range ch.watchers {
		w.Reply <- ev
	}
	ch.watchers = nil
	for _, pid := range ch.subscribers {
		ctx.Send(pid, &ev)
	}
}

func (ch *channel) watch(w WatchState) {
	if ch.state != w.From {
		w.Reply <- StateChanged{From: w.From, To: ch.state, Cause: ch.cause}
		return
	}
	ch.watchers = append(ch.watchers, w)
}

func (ch *channel) unsubscribe(pid *actor.PID) {
	for i, p := range ch.subscribers {
		if p.Equal(pid) {
			ch.subscribers = append(ch.subscribers[:i], ch.subscribers[i+1:]...)
			return
		}
	}
}

// closeHandshaking closes the socket of a connection that is not READY yet.
func (ch *channel) closeHandshaking() {
	if ch.handshaking != nil {
		_ = ch.handshaking.Close()
		ch.handshaking = nil
	}
}

func (ch *channel) stopTimer() {
	if ch.timer != nil {
		ch.timer.Stop()
		ch.timer = nil
	}
}

// shutdown runs as the actor stops: SHUTDOWN, no dial left behind, waiting calls end. The
// children (calls and the connection) are stopped by the actor system after this; each
// ends its own call or connection in its Stopping handler.
func (ch *channel) shutdown(ctx actor.Context) {
	ch.stopTimer()
	ch.stopIdle()
	if ch.dialing != nil {
		// the dial goroutine ends once cancelled; a connection it made is closed here,
		// since its message will reach no one.
		ch.dialCancel()
		if r := <-ch.dialing; r.conn != nil {
			_ = r.conn.Close()
		}
		ch.dialing = nil
	}
	// A connection still handshaking has nothing to finish: close its socket so that its
	// actor stops at once, even if its peer never reads.
	ch.closeHandshaking()
	ch.setState(ctx, Shutdown, errors.New("channel closed"))
	for _, pid := range ch.waiting {
		ctx.Send(pid, &PickFailed{Status: wire.NewStatus(wire.Canceled, "channel closed")})
	}
	ch.waiting = nil
}
