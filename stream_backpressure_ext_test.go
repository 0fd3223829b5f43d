package actorrpc_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
)

// TestSlowReaderBoundsMemory: a server streams as fast as it can to a client that reads
// nothing. The server's sends stop at the client's stream window (plus the small send
// buffers), so neither side buffers without bound; when the client reads again, every
// message arrives, in order. An unbuffered in-memory pipe keeps kernel socket buffers out of
// the measure.
func TestSlowReaderBoundsMemory(t *testing.T) {
	const msgSize = 1024
	var sent atomic.Int64
	impl := defaultNumbers()
	impl.flood = func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.BytesValue]) error {
		for i := uint32(0); ; i++ {
			b := make([]byte, msgSize)
			binary.BigEndian.PutUint32(b, i)
			if err := s.Send(wrapperspb.Bytes(b)); err != nil {
				return err
			}
			sent.Add(1)
		}
	}
	n := newMemNet()
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()))
	srv.RegisterService(&numbersDesc, impl)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(n.listen()) }()
	ch, err := actorrpc.Dial("mem:443", actorrpc.WithActorSystem(actors.NewSystem()), actorrpc.WithContextDialer(n.Dial))
	require.NoError(t, err)
	defer func() {
		require.NoError(t, ch.Close())
		srv.Stop()
		if err := <-served; !errors.Is(err, actorrpc.ErrServerStopped) {
			require.NoError(t, err)
		}
	}()

	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	cs, err := ch.NewStream(ctx, &numbersDesc.Streams[3], "/test.Numbers/Flood")
	require.NoError(t, err)
	s := &actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.BytesValue]{ClientStream: cs}

	stalledAt := waitUntilStable(t, &sent)
	t.Logf("the server stalled after %d messages of %d bytes", stalledAt, msgSize)
	// What may be in flight: the client's stream window (1 MiB), the server's send buffer
	// (64 KiB) and the connection's write buffer (32 KiB), with per-message overhead.
	const bound = (1<<20 + 64<<10 + 32<<10) / msgSize * 11 / 10
	assert.LessOrEqual(t, stalledAt, int64(bound), "the server stopped at the client's window: got %d messages in flight; want at most %d", stalledAt, bound)
	assert.Greater(t, stalledAt, int64(100), "the server did send up to the window")

	for i := range uint32(stalledAt) + 5000 {
		m, err := s.Recv()
		require.NoError(t, err)
		require.Equal(t, i, binary.BigEndian.Uint32(m.GetValue()), "messages arrive in order, none lost")
	}
}

// waitUntilStable waits until counter stops moving (the sender is blocked by flow control)
// and returns its value. It polls; the 10 s cap only turns a hang into a failure.
func waitUntilStable(t *testing.T, counter *atomic.Int64) int64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last, same := counter.Load(), 0
	for same < 20 {
		require.True(t, time.Now().Before(deadline), "the sender never stopped: %d messages", counter.Load())
		<-time.After(10 * time.Millisecond)
		if v := counter.Load(); v == last && v > 0 {
			same++
		} else {
			last, same = v, 0
		}
	}
	return last
}

// TestStreamWindows: a blocking handle reports what it consumed in batches, and when it is
// about to wait only once it holds half the stream's window; the stream's delivery channel
// holds a few dozen messages. With windows smaller than a message, smaller than the batch,
// and the default, every message of a ping-pong, a bulk bidi stream and a flood of 1 KiB
// messages arrives, in order: neither side waits for window the other has not returned.
func TestStreamWindows(t *testing.T) {
	for _, window := range []int32{1000, 5000, 0} {
		t.Run(fmt.Sprintf("window %d", window), func(t *testing.T) {
			opt := actorrpc.WithInitialWindowSize(window)
			e := newStreamEnvOpts(t, defaultNumbers(), []actorrpc.ServerOption{opt}, opt)

			pingPong := e.open(t, testCtx(t), "Echo")
			for i := range int32(300) {
				require.NoError(t, pingPong.Send(wrapperspb.Int32(i)))
				v, err := pingPong.Recv()
				require.NoError(t, err)
				require.Equal(t, i, v.GetValue())
			}
			require.NoError(t, pingPong.CloseSend())
			_, err := pingPong.Recv()
			require.Equal(t, io.EOF, err)

			bulk := e.open(t, testCtx(t), "Echo")
			sent := make(chan error, 1)
			go func() {
				for i := range int32(3000) {
					if err := bulk.Send(wrapperspb.Int32(i)); err != nil {
						sent <- err
						return
					}
				}
				sent <- bulk.CloseSend()
			}()
			for i := range int32(3000) {
				v, err := bulk.Recv()
				require.NoError(t, err)
				require.Equal(t, i, v.GetValue())
			}
			_, err = bulk.Recv()
			require.Equal(t, io.EOF, err)
			require.NoError(t, <-sent)

			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			cs, err := e.ch.NewStream(ctx, &numbersDesc.Streams[3], "/test.Numbers/Flood")
			require.NoError(t, err)
			flood := &actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.BytesValue]{ClientStream: cs}
			for range 2000 {
				m, err := flood.Recv()
				require.NoError(t, err)
				require.Len(t, m.GetValue(), 1024)
			}
		})
	}
}
