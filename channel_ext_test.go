package actorrpc_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// The channel life-cycle tests run inside synctest bubbles: the fake clock moves only when
// every goroutine of the bubble is blocked, so backoff, connect timeouts and deadlines are
// checked to the nanosecond, in no real time. Every actor system, connection and server is
// created inside the bubble and stopped before the bubble's function returns.

// memNet is an in-memory network of net.Pipe connections: its Dial hands the server end of
// a new pipe to whichever memListener is accepting. It outlives its listeners, so a test can
// stop a server and start another one behind the same dialer.
type memNet struct {
	conns chan net.Conn
	// dials counts Dial calls; failWith, when set, makes Dial fail with that error.
	dials    atomic.Int32
	failWith atomic.Pointer[error]
	// dialTimes records the fake time of each Dial.
	mu        sync.Mutex
	dialTimes []time.Time
}

func newMemNet() *memNet { return &memNet{conns: make(chan net.Conn)} }

// Dial connects to the listener accepting now, or waits for one until ctx ends.
func (n *memNet) Dial(ctx context.Context, _ string) (net.Conn, error) {
	n.dials.Add(1)
	n.mu.Lock()
	n.dialTimes = append(n.dialTimes, time.Now())
	n.mu.Unlock()
	if err := n.failWith.Load(); err != nil {
		return nil, *err
	}
	client, server := net.Pipe()
	select {
	case n.conns <- server:
		return client, nil
	case <-ctx.Done():
		_ = client.Close()
		_ = server.Close()
		return nil, ctx.Err()
	}
}

// fail makes every later Dial fail with err; nil makes them connect again.
func (n *memNet) fail(err error) {
	if err == nil {
		n.failWith.Store(nil)
		return
	}
	n.failWith.Store(&err)
}

// times returns the fake times of the dials so far.
func (n *memNet) times() []time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]time.Time(nil), n.dialTimes...)
}

// listen returns a listener that accepts the network's connections until it is closed.
func (n *memNet) listen() net.Listener { return &memListener{net: n, done: make(chan struct{})} }

type memListener struct {
	net  *memNet
	done chan struct{}
	once sync.Once
}

func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.net.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *memListener) Addr() net.Addr { return memAddr{} }

type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return "mem:443" }

// bubbleServer serves SayHello with fn on a new listener of n, in its own actor system.
// stop stops it and waits for Serve to return.
func bubbleServer(t *testing.T, n *memNet, fn helloFunc) (stop func()) {
	t.Helper()
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()))
	hellopb.RegisterHelloServiceServer(srv, helloServer{fn: fn})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(n.listen()) }()
	return func() {
		srv.Stop()
		if err := <-served; !errors.Is(err, actorrpc.ErrServerStopped) {
			assert.NoError(t, err)
		}
	}
}

// bubbleDial dials the network n from a new actor system.
func bubbleDial(t *testing.T, n *memNet, opts ...actorrpc.DialOption) *actorrpc.Channel {
	t.Helper()
	ch, err := actorrpc.Dial("mem:443", append([]actorrpc.DialOption{
		actorrpc.WithActorSystem(actors.NewSystem()), actorrpc.WithContextDialer(n.Dial),
	}, opts...)...)
	require.NoError(t, err)
	return ch
}

// stateRecorder is an actor subscribed to a channel's transitions.
type stateRecorder struct {
	system *actor.ActorSystem
	pid    *actor.PID
	mu     sync.Mutex
	events []actorrpc.StateChanged
}

func subscribe(ch *actorrpc.Channel) *stateRecorder {
	r := &stateRecorder{system: ch.ActorSystem()}
	r.pid = r.system.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if m, ok := c.Message().(*actorrpc.StateChanged); ok {
			r.mu.Lock()
			r.events = append(r.events, *m)
			r.mu.Unlock()
		}
	}))
	ch.Subscribe(r.pid)
	return r
}

// states returns the transitions seen so far, once the bubble is idle, as "FROM→TO".
func (r *stateRecorder) states() []string {
	synctest.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = e.From.String() + "→" + e.To.String()
	}
	return out
}

// last returns the last transition seen.
func (r *stateRecorder) last() actorrpc.StateChanged {
	synctest.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		return actorrpc.StateChanged{}
	}
	return r.events[len(r.events)-1]
}

func (r *stateRecorder) stop() { _ = r.system.Root.StopFuture(r.pid).Wait() }

// bubble runs f in a synctest bubble. At the end it lets fake time pass, so that
// goroutines with a short timer (protoactor-go's dead-letter throttle) end in the bubble.
func bubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		defer time.Sleep(time.Minute)
		f(t)
	})
}

// hello makes one SayHello call and returns its error.
func hello(ctx context.Context, ch *actorrpc.Channel, opts ...actorrpc.CallOption) error {
	_, err := hellopb.NewHelloServiceClient(ch).SayHello(ctx, &hellopb.HelloRequest{Greeting: "x"}, opts...)
	return err
}

func TestChannelDialIsLazy(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		ch := bubbleDial(t, n)
		defer ch.Close()
		assert.Equal(t, actorrpc.Idle, ch.State())
		time.Sleep(time.Hour)
		synctest.Wait()
		assert.Equal(t, actorrpc.Idle, ch.State(), "an unused channel stays IDLE")
		assert.Zero(t, n.dials.Load(), "an unused channel never dials")
	})
}

func TestChannelConnects(t *testing.T) {
	tests := []struct {
		name  string
		start func(ch *actorrpc.Channel) error
	}{
		{"Connect", func(ch *actorrpc.Channel) error { ch.Connect(); return nil }},
		{"first call", func(ch *actorrpc.Channel) error { return hello(context.Background(), ch) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				n := newMemNet()
				stopServer := bubbleServer(t, n, echo)
				defer stopServer()
				ch := bubbleDial(t, n)
				defer ch.Close()
				rec := subscribe(ch)
				defer rec.stop()

				changed := make(chan bool, 1)
				go func() { changed <- ch.WaitForStateChange(context.Background(), actorrpc.Idle) }()
				synctest.Wait()

				start := time.Now()
				require.NoError(t, tt.start(ch))
				assert.True(t, <-changed, "WaitForStateChange(IDLE) returns once the state moves")
				assert.Equal(t, []string{"IDLE→IDLE", "IDLE→CONNECTING", "CONNECTING→READY"}, rec.states())
				assert.Equal(t, actorrpc.Ready, ch.State())
				assert.Zero(t, time.Since(start), "connecting over an in-memory pipe takes no time")
				assert.Equal(t, int32(1), n.dials.Load())

				require.NoError(t, hello(context.Background(), ch), "a call on a READY channel")
				assert.Equal(t, int32(1), n.dials.Load(), "calls share the connection")
			})
		})
	}
}

func TestChannelDialFailureBacksOff(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		n.fail(errors.New("connection refused"))
		ch := bubbleDial(t, n, actorrpc.WithBackoff(time.Second, 120*time.Second, 1.6, 0, 20*time.Second))
		defer ch.Close()
		rec := subscribe(ch)
		defer rec.stop()

		start := time.Now()
		ch.Connect()
		assert.Equal(t, []string{"IDLE→IDLE", "IDLE→CONNECTING", "CONNECTING→TRANSIENT_FAILURE"}, rec.states())
		assert.Equal(t, actorrpc.TransientFailure, ch.State())
		assert.ErrorContains(t, rec.last().Cause, "connection refused", "the cause is the dial error")

		time.Sleep(15 * time.Minute)
		// Each delay is 1.6 times the one before, from 1 s, until it reaches 120 s.
		want := []time.Duration{0}
		for d, at := time.Second, time.Duration(0); at+d <= 15*time.Minute; d = min(d*16/10, 120*time.Second) {
			at += d
			want = append(want, at)
		}
		got := n.times()
		require.Len(t, got, len(want), "dial attempts in 15 minutes")
		for i := range want {
			assert.InDelta(t, want[i], got[i].Sub(start), float64(time.Microsecond), "attempt %d at %v; want %v", i, got[i].Sub(start), want[i])
		}
		assert.Equal(t, 120*time.Second, got[len(got)-1].Sub(got[len(got)-2]), "the delay is capped")
		assert.Equal(t, actorrpc.TransientFailure, ch.State())
	})
}

func TestChannelBackoffJitter(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		n.fail(errors.New("connection refused"))
		ch := bubbleDial(t, n) // gRPC's default backoff: ±20 % jitter
		defer ch.Close()
		ch.Connect()
		time.Sleep(time.Hour)
		got := n.times()
		require.Greater(t, len(got), 20)
		var jittered bool
		for i, base := 1, time.Second; i < len(got); i, base = i+1, min(base*16/10, 120*time.Second) {
			delay := got[i].Sub(got[i-1])
			assert.GreaterOrEqual(t, delay, base*8/10, "delay %d", i)
			assert.LessOrEqual(t, delay, base*12/10, "delay %d", i)
			jittered = jittered || delay != base
		}
		assert.True(t, jittered, "delays are randomised")
	})
}

func TestChannelCallInTransientFailure(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		n.fail(errors.New("connection refused"))
		stopServer := bubbleServer(t, n, echo)
		defer stopServer()
		ch := bubbleDial(t, n, actorrpc.WithBackoff(time.Second, 120*time.Second, 1.6, 0, 20*time.Second))
		defer ch.Close()

		err := hello(context.Background(), ch)
		st := actorrpc.StatusOf(err)
		assert.Equal(t, actorrpc.Unavailable, st.Code(), "the first call fails with its attempt")
		assert.Contains(t, st.Message(), "connection refused")
		require.Equal(t, actorrpc.TransientFailure, ch.State())

		start := time.Now()
		err = hello(context.Background(), ch)
		assert.Zero(t, time.Since(start), "a call in TRANSIENT_FAILURE fails at once")
		st = actorrpc.StatusOf(err)
		assert.Equal(t, actorrpc.Unavailable, st.Code())
		assert.Contains(t, st.Message(), "connection refused")
	})
}

func TestChannelWaitForReady(t *testing.T) {
	tests := []struct {
		name     string
		fixAfter time.Duration // the dialer works again after this; 0 means never
		code     actorrpc.Code
		took     time.Duration
	}{
		// The dialer fails at 0 s and 1 s; the retry at 2.6 s works.
		{"succeeds once the dialer works", 1500 * time.Millisecond, actorrpc.OK, 2600 * time.Millisecond},
		{"ends at its deadline", 0, actorrpc.DeadlineExceeded, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				n := newMemNet()
				n.fail(errors.New("connection refused"))
				stopServer := bubbleServer(t, n, echo)
				defer stopServer()
				ch := bubbleDial(t, n, actorrpc.WithBackoff(time.Second, 120*time.Second, 1.6, 0, 20*time.Second))
				defer ch.Close()

				start := time.Now()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				done := make(chan error, 1)
				go func() { done <- hello(ctx, ch, actorrpc.WaitForReady(true)) }()
				synctest.Wait()
				assert.Equal(t, actorrpc.TransientFailure, ch.State())
				if tt.fixAfter > 0 {
					time.Sleep(tt.fixAfter)
					n.fail(nil)
				}
				err := <-done
				assert.Equal(t, tt.code, actorrpc.CodeOf(err), "error: %v", err)
				assert.Equal(t, tt.took, time.Since(start))
				if tt.code == actorrpc.DeadlineExceeded {
					assert.Contains(t, actorrpc.StatusOf(err).Message(), "connection refused",
						"a wait-for-ready call that gives up says why the channel was not ready")
				}
			})
		})
	}
}

func TestChannelReconnectsAfterServerStops(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		// A call named "block" waits in its handler until the end of the test.
		release := make(chan struct{})
		defer close(release)
		stopServer := bubbleServer(t, n, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
			if req.GetGreeting() == "block" {
				<-release
			}
			return echo(ctx, req)
		})
		ch := bubbleDial(t, n)
		defer ch.Close()
		require.NoError(t, hello(context.Background(), ch))
		rec := subscribe(ch)
		defer rec.stop()
		inFlight := make(chan error, 1)
		go func() {
			_, err := hellopb.NewHelloServiceClient(ch).SayHello(context.Background(), &hellopb.HelloRequest{Greeting: "block"})
			inFlight <- err
		}()
		synctest.Wait()

		stopServer()
		err := <-inFlight
		assert.Equal(t, actorrpc.Unavailable, actorrpc.CodeOf(err), "a call in flight on the broken connection: %v", err)
		assert.Equal(t, []string{"READY→READY", "READY→IDLE"}, rec.states(), "a broken connection leaves the channel IDLE")
		assert.Equal(t, actorrpc.Idle, ch.State())
		assert.NotNil(t, rec.last().Cause, "the transition says why")
		time.Sleep(time.Hour)
		synctest.Wait()
		assert.Equal(t, int32(1), n.dials.Load(), "an IDLE channel does not reconnect by itself")

		stopServer = bubbleServer(t, n, echo)
		defer stopServer()
		require.NoError(t, hello(context.Background(), ch), "the next call reconnects")
		assert.Equal(t, []string{"READY→READY", "READY→IDLE", "IDLE→CONNECTING", "CONNECTING→READY"}, rec.states())
		assert.Equal(t, int32(2), n.dials.Load())
	})
}

// acceptAll accepts connections on lis until it is closed and hands each one to peer, in a
// goroutine of its own.
func acceptAll(lis net.Listener, peer func(net.Conn)) {
	for {
		c, err := lis.Accept()
		if err != nil {
			return
		}
		go peer(c)
	}
}

// silentPeer reads and drops what the client writes and never answers: a server that does
// not speak HTTP/2.
func silentPeer(c net.Conn) {
	_, _ = io.Copy(io.Discard, c)
	_ = c.Close()
}

// serveSilently serves lis with silentPeer until lis is closed.
func serveSilently(lis net.Listener) { acceptAll(lis, silentPeer) }

func TestChannelHandshakeTimeout(t *testing.T) {
	tests := []struct {
		name string
		peer func(c net.Conn, quit <-chan struct{})
	}{
		{"peer reads and never answers", func(c net.Conn, _ <-chan struct{}) { silentPeer(c) }},
		// Over net.Pipe a peer that never reads blocks the client's first write.
		{"peer never reads", func(c net.Conn, quit <-chan struct{}) { <-quit; _ = c.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				n := newMemNet()
				lis := n.listen()
				defer lis.Close()
				quit := make(chan struct{})
				defer close(quit)
				go acceptAll(lis, func(c net.Conn) { tt.peer(c, quit) })
				ch := bubbleDial(t, n, actorrpc.WithBackoff(time.Second, 120*time.Second, 1.6, 0, 20*time.Second))
				rec := subscribe(ch)
				defer rec.stop()

				start := time.Now()
				err := hello(context.Background(), ch)
				assert.Equal(t, 20*time.Second, time.Since(start), "the attempt is given the minimum connect timeout")
				st := actorrpc.StatusOf(err)
				assert.Equal(t, actorrpc.Unavailable, st.Code())
				assert.Contains(t, st.Message(), "SETTINGS")
				// connection-backoff.md: the next attempt may start at the first attempt's
				// start + backoff (1 s), long past after a 20 s attempt: it starts at once.
				synctest.Wait()
				assert.Equal(t, []string{"IDLE→IDLE", "IDLE→CONNECTING", "CONNECTING→TRANSIENT_FAILURE", "TRANSIENT_FAILURE→CONNECTING"}, rec.states())
				assert.Equal(t, actorrpc.Connecting, ch.State(), "the next attempt starts at once")
				assert.Equal(t, int32(2), n.dials.Load())

				closeStart := time.Now()
				require.NoError(t, ch.Close(), "Close while handshaking")
				assert.Zero(t, time.Since(closeStart), "Close does not wait for the peer")
				assert.Equal(t, actorrpc.Shutdown, ch.State())
			})
		})
	}
}

func TestChannelClose(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		handlerDone := make(chan error, 3)
		stopServer := bubbleServer(t, n, func(ctx context.Context, _ *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
			<-ctx.Done()
			handlerDone <- ctx.Err()
			return nil, ctx.Err()
		})
		defer stopServer()
		ch := bubbleDial(t, n)
		rec := subscribe(ch)
		defer rec.stop()

		const live = 3
		errs := make(chan error, live)
		for range live {
			go func() { errs <- hello(context.Background(), ch) }()
		}
		synctest.Wait()
		require.Equal(t, actorrpc.Ready, ch.State())
		changed := make(chan bool, 1)
		go func() { changed <- ch.WaitForStateChange(context.Background(), actorrpc.Ready) }()
		synctest.Wait()

		start := time.Now()
		require.NoError(t, ch.Close())
		assert.Zero(t, time.Since(start), "Close does not wait for calls to finish")
		assert.Equal(t, actorrpc.Shutdown, ch.State())
		assert.True(t, <-changed, "WaitForStateChange returns on Close")
		for range live {
			st := actorrpc.StatusOf(<-errs)
			assert.Equal(t, actorrpc.Canceled, st.Code(), "a live call ends CANCELLED: %v", st)
			assert.Contains(t, st.Message(), "channel closed")
		}
		for range live {
			assert.ErrorIs(t, <-handlerDone, context.Canceled, "the server's handler is cancelled too")
		}
		assert.Equal(t, []string{"IDLE→IDLE", "IDLE→CONNECTING", "CONNECTING→READY", "READY→SHUTDOWN"}, rec.states())

		err := hello(context.Background(), ch)
		assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err), "a call after Close fails at once: %v", err)
		assert.Contains(t, actorrpc.StatusOf(err).Message(), "closed")
		assert.NoError(t, ch.Close(), "Close twice")
		assert.False(t, ch.WaitForStateChange(context.Background(), actorrpc.Shutdown), "SHUTDOWN never changes")
		assert.True(t, ch.WaitForStateChange(context.Background(), actorrpc.Ready))
		ch.Connect() // no effect, no panic
		assert.Equal(t, actorrpc.Shutdown, ch.State())
		assert.Zero(t, time.Since(start))
	})
}

func TestChannelCloseWhile(t *testing.T) {
	tests := []struct {
		name  string
		setup func(n *memNet) (cleanup func())
		state actorrpc.State
	}{
		{"IDLE", func(*memNet) func() { return func() {} }, actorrpc.Idle},
		{"CONNECTING", func(n *memNet) func() {
			lis := n.listen()
			go serveSilently(lis)
			return func() { lis.Close() }
		}, actorrpc.Connecting},
		{"dialing", func(*memNet) func() { return func() {} }, actorrpc.Connecting}, // no listener: Dial blocks
		{"TRANSIENT_FAILURE", func(n *memNet) func() { n.fail(errors.New("connection refused")); return func() {} }, actorrpc.TransientFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				n := newMemNet()
				defer tt.setup(n)()
				ch := bubbleDial(t, n)
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				done := make(chan error, 1)
				if tt.state != actorrpc.Idle {
					go func() { done <- hello(ctx, ch, actorrpc.WaitForReady(true)) }()
				}
				time.Sleep(time.Second / 2)
				synctest.Wait()
				require.Equal(t, tt.state, ch.State())

				start := time.Now()
				require.NoError(t, ch.Close())
				assert.Zero(t, time.Since(start))
				assert.Equal(t, actorrpc.Shutdown, ch.State())
				if tt.state != actorrpc.Idle {
					err := <-done
					assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err), "a waiting call ends CANCELLED: %v", err)
				}
			})
		})
	}
}

// panicConn panics once in Write when armed: the connection actor, which writes from its
// Receive, panics.
type panicConn struct {
	net.Conn
	armed *atomic.Bool
}

func (c panicConn) Write(b []byte) (int, error) {
	if c.armed.CompareAndSwap(true, false) {
		panic("test: connection write panics")
	}
	return c.Conn.Write(b)
}

func TestChannelConnectionActorPanics(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		stopServer := bubbleServer(t, n, echo)
		defer stopServer()
		var armed atomic.Bool
		ch := bubbleDial(t, n, actorrpc.WithLogger(slog.New(slog.DiscardHandler)), actorrpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			c, err := n.Dial(ctx, addr)
			if err != nil {
				return nil, err
			}
			return panicConn{Conn: c, armed: &armed}, nil
		}))
		defer ch.Close()
		require.NoError(t, hello(context.Background(), ch))
		rec := subscribe(ch)
		defer rec.stop()

		armed.Store(true)
		err := hello(context.Background(), ch)
		assert.Equal(t, actorrpc.Unavailable, actorrpc.CodeOf(err), "the call on the panicking connection: %v", err)
		assert.Equal(t, []string{"READY→READY", "READY→IDLE"}, rec.states(), "a panic is a broken connection")

		require.NoError(t, hello(context.Background(), ch), "the next call reconnects; the server lives")
		assert.Equal(t, []string{"READY→READY", "READY→IDLE", "IDLE→CONNECTING", "CONNECTING→READY"}, rec.states())
		assert.Equal(t, int32(2), n.dials.Load())
	})
}

// goAwayPeer answers the client's preface with GOAWAY instead of SETTINGS, then reads and
// drops what the client writes.
func goAwayPeer(c net.Conn) {
	go func() { _ = http2.NewFramer(c, nil).WriteGoAway(0, http2.ErrCodeNo, []byte("shutting down")) }()
	silentPeer(c)
}

func TestChannelGoAwayBeforeSettings(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		lis := n.listen()
		defer lis.Close()
		go acceptAll(lis, goAwayPeer)
		ch := bubbleDial(t, n, actorrpc.WithBackoff(time.Second, 120*time.Second, 1.6, 0, 20*time.Second))
		defer ch.Close()
		rec := subscribe(ch)
		defer rec.stop()

		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		start := time.Now()
		err := hello(ctx, ch)
		assert.Zero(t, time.Since(start), "the attempt fails at once")
		st := actorrpc.StatusOf(err)
		assert.Equal(t, actorrpc.Unavailable, st.Code(), "got %v", st)
		assert.Contains(t, st.Message(), "GOAWAY")
		assert.Equal(t, []string{"IDLE→IDLE", "IDLE→CONNECTING", "CONNECTING→TRANSIENT_FAILURE"}, rec.states())
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, int32(2), n.dials.Load(), "the channel retries after the backoff")
	})
}

func TestChannelDeadlineWhileConnecting(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		lis := n.listen()
		defer lis.Close()
		go serveSilently(lis) // the handshake would take the whole 20 s connect timeout
		ch := bubbleDial(t, n)
		defer ch.Close()

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		err := hello(ctx, ch)
		assert.Equal(t, actorrpc.DeadlineExceeded, actorrpc.CodeOf(err), "got %v", err)
		assert.Equal(t, 5*time.Second, time.Since(start), "the call ends at its deadline")
		assert.Equal(t, actorrpc.Connecting, ch.State(), "the attempt goes on for other calls")
	})
}

func TestChannelWaitForStateChangeGivesUp(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ch := bubbleDial(t, newMemNet())
		defer ch.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		assert.False(t, ch.WaitForStateChange(ctx, actorrpc.Idle), "nothing happens to an unused channel")
		assert.Equal(t, time.Minute, time.Since(start))
		assert.True(t, ch.WaitForStateChange(ctx, actorrpc.Ready), "the state is not READY now, so true even with a done ctx")
	})
}

func TestChannelUnsubscribe(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		stopServer := bubbleServer(t, n, echo)
		defer stopServer()
		ch := bubbleDial(t, n)
		defer ch.Close()
		rec := subscribe(ch)
		defer rec.stop()
		assert.Equal(t, []string{"IDLE→IDLE"}, rec.states())
		ch.Unsubscribe(rec.pid)
		require.NoError(t, hello(context.Background(), ch))
		assert.Equal(t, []string{"IDLE→IDLE"}, rec.states(), "no transitions after Unsubscribe")
	})
}
