package actorrpc_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/internal/rawh2"
)

// Keepalive tests run in synctest bubbles over net.Pipe: keepalive's timers run on the
// bubble's fake clock, so every interval is checked exactly and in no real time.

// cutConn is a connection that can go silently dead: once cut, it swallows writes and
// never delivers a byte again (packets dropped, no RST), until it is closed.
type cutConn struct {
	net.Conn
	cut    atomic.Bool
	closed chan struct{}
	once   sync.Once
}

func newCutConn(nc net.Conn) *cutConn { return &cutConn{Conn: nc, closed: make(chan struct{})} }

func (c *cutConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if c.cut.Load() {
		<-c.closed
		return 0, net.ErrClosed
	}
	return n, err
}

func (c *cutConn) Write(b []byte) (int, error) {
	if c.cut.Load() {
		return len(b), nil
	}
	return c.Conn.Write(b)
}

func (c *cutConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// bubbleServerWith serves SayHello with fn and opts on a new listener of n.
func bubbleServerWith(t *testing.T, n *memNet, fn helloFunc, opts ...actorrpc.ServerOption) (stop func()) {
	t.Helper()
	srv := actorrpc.NewServer(append([]actorrpc.ServerOption{actorrpc.WithActorSystem(actors.NewSystem())}, opts...)...)
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

// blockUntil returns a handler that waits for release (or its ctx), then echoes.
func blockUntil(release <-chan struct{}) helloFunc {
	return func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return echo(ctx, req)
	}
}

func TestKeepaliveDetectsDeadServer(t *testing.T) {
	bubble(t, func(t *testing.T) {
		const kaTime, kaTimeout = 10 * time.Second, 5 * time.Second
		n := newMemNet()
		release := make(chan struct{})
		stop := bubbleServerWith(t, n, blockUntil(release))
		defer stop()
		var conn atomic.Pointer[cutConn]
		ch := bubbleDial(t, n, actorrpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			nc, err := n.Dial(ctx, addr)
			if err != nil {
				return nil, err
			}
			c := newCutConn(nc)
			conn.Store(c)
			return c, nil
		}), actorrpc.WithKeepaliveParams(actorrpc.KeepaliveClientParams{Time: kaTime, Timeout: kaTimeout}))
		defer ch.Close()
		rec := subscribe(ch)
		defer rec.stop()

		errc := make(chan error, 1)
		go func() { errc <- hello(context.Background(), ch) }()
		synctest.Wait() // the call is in its handler; the last read was the handshake
		start := time.Now()
		conn.Load().cut.Store(true)
		err := <-errc
		elapsed := time.Since(start)

		want := "keepalive ping not acknowledged within 5s"
		assert.Equal(t, actorrpc.Unavailable, actorrpc.CodeOf(err), "got %v; want UNAVAILABLE", err)
		assert.Contains(t, actorrpc.StatusOf(err).Message(), want)
		assert.Equal(t, kaTime+kaTimeout, elapsed, "dead peer found after %v; want Time + Timeout", elapsed)
		last := rec.last()
		assert.Equal(t, actorrpc.Idle, last.To, "got state %v; want IDLE", last.To)
		require.Error(t, last.Cause)
		assert.Contains(t, last.Cause.Error(), want)
		close(release)
	})
}

// nextPing reads until the peer's next PING (not an ACK) and returns it.
func nextPing(t *testing.T, p *rawh2.Peer) *rawh2.Frame {
	t.Helper()
	for {
		f, err := p.ReadFrame()
		require.NoError(t, err, "waiting for a keepalive PING")
		if f.Type == http2.FramePing && !f.IsAck() {
			return f
		}
	}
}

func TestKeepaliveClientPings(t *testing.T) {
	const kaTime = 10 * time.Second
	tests := []struct {
		name       string
		permit     bool
		call       bool
		wantPingAt []time.Duration // after the handshake; nil: no PING within an hour
	}{
		{name: "a call in flight", call: true, wantPingAt: []time.Duration{kaTime, 2 * kaTime, 3 * kaTime}},
		{name: "no call, not permitted", wantPingAt: nil},
		{name: "no call, PermitWithoutStream", permit: true, wantPingAt: []time.Duration{kaTime, 2 * kaTime}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				n := newMemNet()
				lis := n.listen()
				defer lis.Close()
				// The hour without calls is longer than the default idle timeout.
				ch := bubbleDial(t, n, actorrpc.WithKeepaliveParams(actorrpc.KeepaliveClientParams{Time: kaTime, PermitWithoutStream: tt.permit}),
					actorrpc.WithIdleTimeout(0))
				defer ch.Close()
				ch.Connect()
				p := rawh2.Accept(t, lis)
				defer p.Close()
				p.Timeout = 2 * time.Hour // longer than any keepalive interval here
				start := time.Now()
				errc := make(chan error, 1)
				if tt.call {
					go func() { errc <- hello(context.Background(), ch) }()
					p.ReadHeaders(1)
				}
				if tt.wantPingAt == nil {
					p.Timeout = time.Hour // no PING within the hour
					for {
						f, err := p.ReadFrame()
						if errors.Is(err, rawh2.ErrTimeout) {
							break
						}
						require.NoError(t, err)
						require.False(t, f.Type == http2.FramePing, "got %v after %v; want no PING without calls", f, time.Since(start))
					}
				}
				for _, at := range tt.wantPingAt {
					f := nextPing(t, p)
					assert.Equal(t, at, time.Since(start), "got PING after %v; want %v", time.Since(start), at)
					p.WritePing(true, [8]byte(f.Data))
				}
				p.Close()
				if tt.call {
					assert.Equal(t, actorrpc.Unavailable, actorrpc.CodeOf(<-errc))
				}
			})
		})
	}
}

func TestKeepaliveClientDoublesTimeOnTooManyPings(t *testing.T) {
	bubble(t, func(t *testing.T) {
		const kaTime = 10 * time.Second
		n := newMemNet()
		lis := n.listen()
		defer lis.Close()
		ch := bubbleDial(t, n, actorrpc.WithKeepaliveParams(actorrpc.KeepaliveClientParams{Time: kaTime, PermitWithoutStream: true}))
		defer ch.Close()
		for _, want := range []time.Duration{kaTime, 2 * kaTime, 4 * kaTime} {
			ch.Connect()
			p := rawh2.Accept(t, lis)
			p.Timeout = time.Hour
			start := time.Now()
			nextPing(t, p)
			assert.Equal(t, want, time.Since(start), "got PING after %v; want %v", time.Since(start), want)
			p.WriteGoAway(0, http2.ErrCodeEnhanceYourCalm, "too_many_pings")
			p.ReadUntilClosed()
			p.Close()
			synctest.Wait()
			require.Equal(t, actorrpc.Idle, ch.State(), "got %v after GOAWAY; want IDLE", ch.State())
		}
	})
}

func TestKeepaliveServerEnforcementPolicy(t *testing.T) {
	tests := []struct {
		name        string
		policy      actorrpc.KeepalivePolicy
		interval    time.Duration
		call        bool
		wantGoAwayN int // the PING answered with GOAWAY; 0: every PING answered
	}{
		{name: "pings faster than MinTime", policy: actorrpc.KeepalivePolicy{MinTime: time.Minute, PermitWithoutStream: true}, interval: 30 * time.Second, wantGoAwayN: 4},
		{name: "pings at MinTime", policy: actorrpc.KeepalivePolicy{MinTime: time.Minute, PermitWithoutStream: true}, interval: time.Minute},
		{name: "pings without calls, not permitted", policy: actorrpc.KeepalivePolicy{MinTime: time.Minute}, interval: time.Minute, wantGoAwayN: 4},
		{name: "pings with a call in flight", policy: actorrpc.KeepalivePolicy{MinTime: time.Minute}, interval: time.Minute, call: true},
		{name: "default policy: 5 minutes", interval: 4 * time.Minute, call: true, wantGoAwayN: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				n := newMemNet()
				release := make(chan struct{})
				defer close(release)
				stop := bubbleServerWith(t, n, blockUntil(release), actorrpc.KeepaliveEnforcementPolicy(tt.policy))
				defer stop()
				nc, err := n.Dial(context.Background(), "mem")
				require.NoError(t, err)
				p := rawh2.Client(t, nc)
				defer p.Close()
				if tt.call {
					p.WriteHeaders(1, false, rawRequestHeaders("/helloworld.HelloService/SayHello")...)
				}
				for i := 1; i <= 6; i++ {
					p.WritePing(false, [8]byte{byte(i)})
					f := rawReadUntilOneOf(t, p, http2.FramePing, http2.FrameGoAway)
					if f.Type == http2.FrameGoAway {
						assert.Equal(t, tt.wantGoAwayN, i, "got %v at PING %d; want it at PING %d", f, i, tt.wantGoAwayN)
						assert.Equal(t, http2.ErrCodeEnhanceYourCalm, f.ErrCode)
						assert.Equal(t, "too_many_pings", string(f.Data))
						p.ReadUntilClosed()
						return
					}
					time.Sleep(tt.interval)
				}
				assert.Zero(t, tt.wantGoAwayN, "every PING answered; want GOAWAY at PING %d", tt.wantGoAwayN)
			})
		})
	}
}

// rawReadUntilOneOf reads frames until one of the given types.
func rawReadUntilOneOf(t *testing.T, p *rawh2.Peer, types ...http2.FrameType) *rawh2.Frame {
	t.Helper()
	for {
		f, err := p.ReadFrame()
		require.NoError(t, err, "reading until %v", types)
		for _, typ := range types {
			if f.Type == typ {
				return f
			}
		}
	}
}

func TestKeepaliveServerPingsSilentClient(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		stop := bubbleServerWith(t, n, echo, actorrpc.KeepaliveParams(actorrpc.KeepaliveServerParams{Time: time.Minute, Timeout: 10 * time.Second}))
		defer stop()
		nc, err := n.Dial(context.Background(), "mem")
		require.NoError(t, err)
		p := rawh2.Client(t, nc)
		defer p.Close()
		p.Timeout = time.Hour
		start := time.Now()
		nextPing(t, p) // not answered
		assert.Equal(t, time.Minute, time.Since(start), "got the server's PING after %v; want Time", time.Since(start))
		p.ReadUntilClosed()
		assert.Equal(t, time.Minute+10*time.Second, time.Since(start), "server closed after %v; want Time + Timeout", time.Since(start))
	})
}

func TestKeepaliveServerMaxConnectionIdle(t *testing.T) {
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		stop := bubbleServerWith(t, n, echo, actorrpc.KeepaliveParams(actorrpc.KeepaliveServerParams{MaxConnectionIdle: time.Minute}))
		defer stop()
		ch := bubbleDial(t, n)
		defer ch.Close()
		rec := subscribe(ch)
		defer rec.stop()
		start := time.Now()
		require.NoError(t, hello(context.Background(), ch))
		time.Sleep(30 * time.Second)
		require.NoError(t, hello(context.Background(), ch)) // idle from here
		require.True(t, ch.WaitForStateChange(context.Background(), actorrpc.Ready))
		assert.Equal(t, 90*time.Second, time.Since(start), "got GOAWAY after %v; want MaxConnectionIdle after the last call", time.Since(start))
		last := rec.last()
		require.Error(t, last.Cause)
		assert.Contains(t, last.Cause.Error(), "GOAWAY(NO_ERROR): max_idle")
	})
}

func TestKeepaliveServerMaxConnectionAge(t *testing.T) {
	bubble(t, func(t *testing.T) {
		const age, grace = time.Minute, 30 * time.Second
		n := newMemNet()
		release := make(chan struct{})
		var calls atomic.Int32
		stop := bubbleServerWith(t, n, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
			if calls.Add(1) == 1 {
				return blockUntil(release)(ctx, req)
			}
			return echo(ctx, req)
		}, actorrpc.KeepaliveParams(actorrpc.KeepaliveServerParams{MaxConnectionAge: age, MaxConnectionAgeGrace: grace}))
		defer stop()
		defer close(release)
		ch := bubbleDial(t, n)
		defer ch.Close()
		start := time.Now()
		errc := make(chan error, 1)
		go func() { errc <- hello(context.Background(), ch) }()
		synctest.Wait()
		require.True(t, ch.WaitForStateChange(context.Background(), actorrpc.Ready))
		drainedAt := time.Since(start)
		assert.True(t, drainedAt >= age*9/10 && drainedAt <= age*11/10, "got GOAWAY(max_age) after %v; want MaxConnectionAge ±10 %%", drainedAt)
		// A new call goes out on a new connection while the old one finishes its call.
		require.NoError(t, hello(context.Background(), ch))
		err := <-errc
		assert.Equal(t, drainedAt+grace, time.Since(start), "the old connection closed after %v; want GOAWAY + grace", time.Since(start))
		assert.Equal(t, actorrpc.Unavailable, actorrpc.CodeOf(err), "got %v; want UNAVAILABLE after the grace period", err)
	})
}
