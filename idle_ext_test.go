package actorrpc_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

func TestChannelIdleTimeout(t *testing.T) {
	// After the idle timeout without calls the channel closes its connection and goes IDLE,
	// saying why; a call in flight keeps it READY however long it runs; the next call
	// connects again.
	bubble(t, func(t *testing.T) {
		const idle = time.Minute
		n := newMemNet()
		release := make(chan struct{})
		stopServer := bubbleServer(t, n, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
			if req.GetGreeting() == "long" {
				time.Sleep(3 * idle)
			}
			return echo(ctx, req)
		})
		defer stopServer()
		ch := bubbleDial(t, n, actorrpc.WithIdleTimeout(idle))
		defer ch.Close()
		rec := subscribe(ch)
		defer rec.stop()
		defer close(release)

		require.NoError(t, hello(context.Background(), ch))
		start := time.Now()
		_, err := hellopb.NewHelloServiceClient(ch).SayHello(context.Background(), &hellopb.HelloRequest{Greeting: "long"})
		require.NoError(t, err)
		assert.Equal(t, 3*idle, time.Since(start))
		assert.Equal(t, actorrpc.Ready, ch.State(), "a call in flight for longer than the idle timeout keeps the channel READY")

		time.Sleep(idle - time.Nanosecond)
		synctest.Wait()
		assert.Equal(t, actorrpc.Ready, ch.State(), "got %v just before the idle timeout; want READY", ch.State())
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		assert.Equal(t, actorrpc.Idle, ch.State(), "got %v at the idle timeout; want IDLE", ch.State())
		last := rec.last()
		require.Error(t, last.Cause)
		assert.Equal(t, "idle for 1m0s", last.Cause.Error())
		assert.Equal(t, []string{"IDLE→IDLE", "IDLE→CONNECTING", "CONNECTING→READY", "READY→IDLE"}, rec.states())

		require.NoError(t, hello(context.Background(), ch), "the next call connects again")
		assert.Equal(t, int32(2), n.dials.Load())
		assert.Equal(t, []string{"IDLE→IDLE", "IDLE→CONNECTING", "CONNECTING→READY", "READY→IDLE",
			"IDLE→CONNECTING", "CONNECTING→READY"}, rec.states())
	})
}

func TestChannelIdleTimeoutOptions(t *testing.T) {
	tests := []struct {
		name     string
		opts     []actorrpc.DialOption
		after    time.Duration
		wantIdle bool
	}{
		{"default: 30 minutes, not yet", nil, 30*time.Minute - time.Nanosecond, false},
		{"default: 30 minutes", nil, 30 * time.Minute, true},
		{"0 disables it", []actorrpc.DialOption{actorrpc.WithIdleTimeout(0)}, 24 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				n := newMemNet()
				stopServer := bubbleServer(t, n, echo)
				defer stopServer()
				ch := bubbleDial(t, n, tt.opts...)
				defer ch.Close()
				require.NoError(t, hello(context.Background(), ch))
				time.Sleep(tt.after)
				synctest.Wait()
				want := actorrpc.Ready
				if tt.wantIdle {
					want = actorrpc.Idle
				}
				assert.Equal(t, want, ch.State(), "after %v without calls", tt.after)
			})
		})
	}
}

func TestChannelIdleTimeoutWhileConnecting(t *testing.T) {
	// Connect without a call, and the server never answers: at the idle timeout the
	// attempt is abandoned and the channel is IDLE, not retrying for ever.
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		n.fail(errors.New("connection refused"))
		ch := bubbleDial(t, n, actorrpc.WithIdleTimeout(time.Minute), actorrpc.WithBackoff(time.Second, time.Second, 1, 0, time.Second))
		defer ch.Close()
		ch.Connect()
		time.Sleep(30 * time.Second)
		synctest.Wait()
		assert.NotEqual(t, actorrpc.Idle, ch.State(), "still trying before the idle timeout")
		time.Sleep(30 * time.Second)
		synctest.Wait()
		assert.Equal(t, actorrpc.Idle, ch.State())
		dials := n.dials.Load()
		time.Sleep(time.Hour)
		synctest.Wait()
		assert.Equal(t, dials, n.dials.Load(), "an IDLE channel does not dial")
	})
}

func TestChannelWaitForReadyThroughServerRestart(t *testing.T) {
	// The server goes away and comes back: a wait-for-ready call made while it is down
	// waits through TRANSIENT_FAILURE and succeeds on the new server; a call that does not
	// wait for ready fails fast meanwhile.
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		stopServer := bubbleServer(t, n, echo)
		ch := bubbleDial(t, n, actorrpc.WithBackoff(time.Second, 10*time.Second, 1.6, 0, 20*time.Second))
		defer ch.Close()
		require.NoError(t, hello(context.Background(), ch))
		rec := subscribe(ch)
		defer rec.stop()

		stopServer()
		n.fail(errors.New("connection refused")) // nobody listens
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- hello(ctx, ch, actorrpc.WaitForReady(true)) }()
		synctest.Wait()
		assert.Equal(t, actorrpc.TransientFailure, ch.State())
		assert.Equal(t, actorrpc.Unavailable, actorrpc.CodeOf(hello(ctx, ch)), "a call that does not wait fails fast")

		time.Sleep(5 * time.Second)
		n.fail(nil)
		stopServer = bubbleServer(t, n, echo)
		defer stopServer()
		assert.NoError(t, <-done, "the wait-for-ready call is served by the new server")
		assert.Equal(t, actorrpc.Ready, ch.State())
		assert.Contains(t, rec.states(), "TRANSIENT_FAILURE→CONNECTING")
		assert.Equal(t, "CONNECTING→READY", rec.states()[len(rec.states())-1])
	})
}
