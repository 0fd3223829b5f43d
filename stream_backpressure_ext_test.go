package actorrpc_test

import (
	"context"
	"encoding/binary"
	"errors"
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
