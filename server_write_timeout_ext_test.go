package actorrpc_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/internal/rawh2"
)

func TestServerPeerThatNeverReads(t *testing.T) {
	// A client opens a stream the server floods, then never reads again and keeps
	// writing frames no flow-control window bounds (PRIORITY). Over net.Pipe a write blocks
	// until the peer reads, so the connection actor blocks in its flush at once. The
	// server reads ahead of it only a bounded number of frames (then the client's writes
	// block: its frames wait on its side), other connections are served, and after the
	// write timeout the connection closes with the cause.
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		floodErr := make(chan error, 1)
		impl := defaultNumbers()
		impl.flood = func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.BytesValue]) error {
			chunk := wrapperspb.Bytes(make([]byte, 1024))
			for {
				if err := s.Send(chunk); err != nil {
					floodErr <- err
					return err
				}
			}
		}
		logs := &logRecorder{}
		srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()), actorrpc.WithLogger(slog.New(logs)))
		srv.RegisterService(&numbersDesc, impl)
		hellopb.RegisterHelloServiceServer(srv, helloServer{fn: echo})
		served := make(chan error, 1)
		go func() { served <- srv.Serve(n.listen()) }()
		defer func() {
			srv.Stop()
			if err := <-served; !errors.Is(err, actorrpc.ErrServerStopped) {
				assert.NoError(t, err)
			}
		}()

		nc, err := n.Dial(context.Background(), "mem")
		require.NoError(t, err)
		p := rawh2.Client(t, nc)
		defer p.Close()
		p.WriteHeaders(1, false, rawRequestHeaders("/test.Numbers/Flood")...)
		synctest.Wait()
		start := time.Now()

		require.NoError(t, nc.SetWriteDeadline(time.Now().Add(time.Second)))
		const flood = 100_000
		written := 0
		for ; written < flood; written++ {
			if err := p.Framer.WritePriority(1, http2.PriorityParam{Weight: 1}); err != nil {
				break
			}
		}
		// What the server may hold: its read budget (10000 control frames + 4 per stream
		// of MAX_CONCURRENT_STREAMS 1000 + 1024), its 32 KiB read buffer of 14-byte frames,
		// and the frame in hand.
		const bound = 10000 + 4*1000 + 1024 + 32<<10/14 + 2
		assert.Less(t, written, bound, "the server read %d frames while its writes blocked; want at most %d", written, bound)

		ch := bubbleDial(t, n)
		defer func() { require.NoError(t, ch.Close()) }()
		require.NoError(t, hello(context.Background(), ch), "a call on another connection while one is stuck")

		time.Sleep(actors.DefaultWriteTimeout - time.Since(start) - time.Millisecond)
		synctest.Wait()
		select {
		case err := <-floodErr:
			t.Fatalf("the connection closed %v after its writes blocked (%v); want %v", time.Since(start), err, actors.DefaultWriteTimeout)
		default:
		}
		time.Sleep(2 * time.Millisecond)
		require.Error(t, <-floodErr, "the flood handler's Send after the connection closed")
		assert.Contains(t, logs.text(), "client stopped reading: no byte written for 30s", "the connection's cause")
		synctest.Wait() // the connection actor has closed the socket
		_, err = nc.Write([]byte{0})
		assert.True(t, errors.Is(err, io.ErrClosedPipe) || errors.Is(err, io.EOF), "got %v writing after the timeout; want the connection closed", err)
	})
}

// logRecorder is a slog handler that keeps every record's message and attributes.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	line := rec.Message
	rec.Attrs(func(a slog.Attr) bool {
		line += " " + a.String()
		return true
	})
	r.mu.Lock()
	r.lines = append(r.lines, line)
	r.mu.Unlock()
	return nil
}

func (r *logRecorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}
