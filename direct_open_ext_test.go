package actorrpc_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// Unary calls on a READY channel open their streams on the connection directly, without
// the channel actor (Channel.openDirect): these tests race them with what ends the
// connection or the channel, and check the channel's idle timer still sees them.

// callTally counts the outcomes of calls made by many goroutines, by code; wait blocks
// until a code was counted n times.
type callTally struct {
	mu       sync.Mutex
	byCode   map[actorrpc.Code]int
	errs     []error // every error, for the failure message
	progress chan struct{}
}

func newCallTally() *callTally {
	return &callTally{byCode: map[actorrpc.Code]int{}, progress: make(chan struct{}, 1)}
}

func (c *callTally) add(err error) {
	c.mu.Lock()
	c.byCode[actorrpc.CodeOf(err)]++
	if err != nil {
		c.errs = append(c.errs, err)
	}
	c.mu.Unlock()
	select {
	case c.progress <- struct{}{}:
	default:
	}
}

func (c *callTally) count(code actorrpc.Code) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byCode[code]
}

// wait blocks until code was counted n times.
func (c *callTally) wait(code actorrpc.Code, n int) {
	for c.count(code) < n {
		<-c.progress
	}
}

// codes returns the codes counted other than those allowed, with an error of each.
func (c *callTally) unexpected(allowed ...actorrpc.Code) map[actorrpc.Code]error {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[actorrpc.Code]error{}
	for _, err := range c.errs {
		code := actorrpc.CodeOf(err)
		ok := false
		for _, a := range allowed {
			ok = ok || code == a
		}
		if !ok {
			out[code] = err
		}
	}
	return out
}

const callers = 64

func TestDirectCallsWhileChannelCloses(t *testing.T) {
	// 64 goroutines call in a loop on a READY channel while it closes: every call returns,
	// OK before Close or CANCELLED (grpc-go: codes.Canceled, "grpc: the client connection
	// is closing"), whether its stream was open, on its way to the connection, or never
	// sent; the bubble ends with no goroutine left.
	for _, round := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				n := newMemNet()
				stopServer := bubbleServer(t, n, echo)
				defer stopServer()
				ch := bubbleDial(t, n)
				require.NoError(t, hello(context.Background(), ch))
				require.Equal(t, actorrpc.Ready, ch.State())

				// A call that hangs ends DEADLINE_EXCEEDED when the fake clock gets there,
				// which fails the test instead of hanging it.
				ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
				defer cancel()
				tally := newCallTally()
				var wg sync.WaitGroup
				for range callers {
					wg.Go(func() {
						for {
							err := hello(ctx, ch)
							tally.add(err)
							if err != nil {
								return
							}
						}
					})
				}
				tally.wait(actorrpc.OK, 20*callers*round)
				require.NoError(t, ch.Close())
				wg.Wait()

				t.Logf("outcomes by code: %v", tally.byCode)
				assert.Equal(t, callers, tally.count(actorrpc.Canceled), "got %v; want each caller's last call CANCELLED", tally.byCode)
				assert.Empty(t, tally.unexpected(actorrpc.Canceled), "calls ended otherwise than OK or CANCELLED")
				for _, err := range tally.errs {
					assert.Contains(t, actorrpc.StatusOf(err).Message(), "closed", "a call ended by Close says why: %v", err)
				}
				assert.Equal(t, actorrpc.Shutdown, ch.State())
			})
		})
	}
}

func TestDirectCallsWhileServerStops(t *testing.T) {
	// 64 goroutines call in a loop while the server stops (its connections die under calls
	// open on them, on their way to them, or sent to a connection actor that already
	// stopped) and, after a while refusing connections, starts again: every call returns
	// OK or UNAVAILABLE, and calls succeed again on the new server.
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		stopServer := bubbleServer(t, n, echo)
		ch := bubbleDial(t, n, actorrpc.WithBackoff(time.Second, time.Second, 1, 0, 20*time.Second))
		defer ch.Close()
		require.NoError(t, hello(context.Background(), ch))

		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		tally := newCallTally()
		var done atomic.Bool
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				for !done.Load() {
					err := hello(ctx, ch)
					tally.add(err)
					if err != nil {
						// Let the fake clock move (backoff), so the channel can reconnect.
						time.Sleep(100 * time.Millisecond)
					}
				}
			})
		}
		tally.wait(actorrpc.OK, 20*callers)
		stopServer()
		n.fail(errors.New("connection refused"))
		tally.wait(actorrpc.Unavailable, 2*callers)
		n.fail(nil)
		stopServer = bubbleServer(t, n, echo)
		defer stopServer()
		okBefore := tally.count(actorrpc.OK)
		tally.wait(actorrpc.OK, okBefore+20*callers)
		done.Store(true)
		wg.Wait()

		t.Logf("outcomes by code: %v", tally.byCode)
		assert.Empty(t, tally.unexpected(actorrpc.Unavailable), "calls ended otherwise than OK or UNAVAILABLE")
		require.NoError(t, hello(context.Background(), ch), "a call after the server restarted")
		assert.Equal(t, actorrpc.Ready, ch.State())
	})
}

func TestDirectCallsKeepChannelFromIdle(t *testing.T) {
	// After the first call, every call opens its stream on the READY connection directly,
	// so the channel actor counts no call: the connection tells the idle timer that it
	// carried them. A call every 10 minutes keeps the channel READY past the 30 minutes'
	// default; 30 minutes after the last one it goes IDLE.
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		stopServer := bubbleServer(t, n, echo)
		defer stopServer()
		ch := bubbleDial(t, n)
		defer ch.Close()
		rec := subscribe(ch)
		defer rec.stop()

		require.NoError(t, hello(context.Background(), ch))
		start := time.Now()
		for range 9 { // 90 minutes
			time.Sleep(10 * time.Minute)
			synctest.Wait()
			require.Equal(t, actorrpc.Ready, ch.State(), "got %v %v after the first call, with a call every 10 minutes; want READY", ch.State(), time.Since(start))
			require.NoError(t, hello(context.Background(), ch))
		}
		time.Sleep(30*time.Minute - time.Nanosecond)
		synctest.Wait()
		assert.Equal(t, actorrpc.Ready, ch.State(), "got %v just before 30 minutes after the last call; want READY", ch.State())
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		assert.Equal(t, actorrpc.Idle, ch.State(), "got %v 30 minutes after the last call; want IDLE", ch.State())
		assert.Equal(t, []string{"IDLE→IDLE", "IDLE→CONNECTING", "CONNECTING→READY", "READY→IDLE"}, rec.states())
		assert.Equal(t, int32(1), n.dials.Load(), "the channel reconnected while calls kept it busy")
	})
}

func TestDirectStartUnary(t *testing.T) {
	// StartUnary on a READY channel returns at once and calls done once, with the response
	// in place; a call live when the channel closes calls done with CANCELLED, and one
	// started after Close too.
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		release := make(chan struct{})
		stopServer := bubbleServer(t, n, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
			switch req.GetGreeting() {
			case "wait":
				<-release
			case "forever":
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return echo(ctx, req)
		})
		defer stopServer()
		ch := bubbleDial(t, n)
		require.NoError(t, hello(context.Background(), ch))
		require.Equal(t, actorrpc.Ready, ch.State())

		start := func(greeting string) (*hellopb.HelloResponse, chan error) {
			resp, done := &hellopb.HelloResponse{}, make(chan error, 2)
			ch.StartUnary(context.Background(), hellopb.HelloService_SayHello_FullMethodName,
				&hellopb.HelloRequest{Greeting: greeting}, resp, func(err error) { done <- err })
			return resp, done
		}

		resp, done := start("wait")
		synctest.Wait()
		assert.Empty(t, done, "done was called before the server answered")
		close(release)
		synctest.Wait()
		require.Len(t, done, 1)
		require.NoError(t, <-done)
		assert.Equal(t, "Hello, wait!", resp.GetReply())

		_, live := start("forever")
		synctest.Wait()
		assert.Empty(t, live)
		require.NoError(t, ch.Close())
		synctest.Wait()
		require.Len(t, live, 1, "done of a call live at Close was called %d times; want once", len(live))
		err := <-live
		assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err), "a live call at Close: %v", err)
		assert.Equal(t, "channel closed", actorrpc.StatusOf(err).Message())

		_, after := start("x")
		synctest.Wait()
		require.Len(t, after, 1, "done of a call started after Close was called %d times; want once", len(after))
		err = <-after
		assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err), "a call after Close: %v", err)
	})
}

func TestDirectCallsWhileChannelClosesOverTCP(t *testing.T) {
	// As TestDirectCallsWhileChannelCloses, over a real socket and the real clock.
	e := newEnv(t, echo, nil)
	ctx := testCtx(t) // a call that hangs ends DEADLINE_EXCEEDED, which fails the test
	require.NoError(t, hello(ctx, e.ch))
	tally := newCallTally()
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for {
				err := hello(ctx, e.ch)
				tally.add(err)
				if err != nil {
					return
				}
			}
		})
	}
	tally.wait(actorrpc.OK, 10*callers)
	require.NoError(t, e.ch.Close())
	wg.Wait()
	assert.Equal(t, callers, tally.count(actorrpc.Canceled), "got %v; want each caller's last call CANCELLED", tally.byCode)
	assert.Empty(t, tally.unexpected(actorrpc.Canceled), "calls ended otherwise than OK or CANCELLED")
}
