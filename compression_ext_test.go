package actorrpc_test

import (
	"context"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// countingConn counts the bytes a client connection writes and reads, so a test can see
// that messages really travelled compressed.
type countingConn struct {
	net.Conn
	written, read *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.written.Add(int64(n))
	return n, err
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

type wireCounter struct{ written, read atomic.Int64 }

func (w *wireCounter) dialer() actorrpc.DialOption {
	return actorrpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: nc, written: &w.written, read: &w.read}, nil
	})
}

func TestUnaryCompression(t *testing.T) {
	big := strings.Repeat("compressible ", 20_000) // 260 KB
	tests := []struct {
		name           string
		serverOpts     []actorrpc.ServerOption
		dialOpts       []actorrpc.DialOption
		callOpts       []actorrpc.CallOption
		wantCompressed bool // request
		wantSmallReply bool
	}{
		{name: "none"},
		{name: "channel option", dialOpts: []actorrpc.DialOption{actorrpc.WithCompressor("gzip")}, wantCompressed: true, wantSmallReply: true},
		{name: "call option", callOpts: []actorrpc.CallOption{actorrpc.UseCompressor("gzip")}, wantCompressed: true, wantSmallReply: true},
		{name: "call turns it off", dialOpts: []actorrpc.DialOption{actorrpc.WithCompressor("gzip")}, callOpts: []actorrpc.CallOption{actorrpc.UseCompressor("identity")}},
		{name: "server option only", serverOpts: []actorrpc.ServerOption{actorrpc.WithCompressor("gzip")}, wantSmallReply: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var counter wireCounter
			var gotCompressed atomic.Bool
			e := newEnv(t, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
				gotCompressed.Store(actorrpc.ReceivedCompressed(ctx))
				return &hellopb.HelloResponse{Reply: req.GetGreeting()}, nil
			}, tt.serverOpts, append(tt.dialOpts, counter.dialer())...)
			resp, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: big}, tt.callOpts...)
			require.NoError(t, err)
			assert.Equal(t, big, resp.GetReply())
			assert.Equal(t, tt.wantCompressed, gotCompressed.Load(), "request compressed")
			assert.Equal(t, tt.wantCompressed, counter.written.Load() < int64(len(big))/4, "client wrote %d bytes for a %d-byte request", counter.written.Load(), len(big))
			assert.Equal(t, tt.wantSmallReply, counter.read.Load() < int64(len(big))/4, "client read %d bytes for a %d-byte response", counter.read.Load(), len(big))
		})
	}
}

func TestStreamCompression(t *testing.T) {
	var counter wireCounter
	impl := defaultNumbers()
	compressedIn := make(chan bool, 100)
	impl.flood = func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.BytesValue]) error {
		for {
			_, err := s.Recv()
			if err != nil {
				return nil
			}
			compressedIn <- actorrpc.ReceivedCompressed(s.Context())
			if err := s.Send(wrapperspb.Bytes(make([]byte, 100_000))); err != nil {
				return err
			}
		}
	}
	e := newStreamEnvOpts(t, impl, []actorrpc.ServerOption{actorrpc.WithCompressor("gzip")}, counter.dialer(), actorrpc.WithCompressor("gzip"))
	cs, err := e.ch.NewStream(testCtx(t), &numbersDesc.Streams[3], "/test.Numbers/Flood")
	require.NoError(t, err)
	s := &actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.BytesValue]{ClientStream: cs}
	for range 10 {
		require.NoError(t, s.Send(wrapperspb.Int32(7)))
		m, err := s.Recv()
		require.NoError(t, err)
		require.Len(t, m.GetValue(), 100_000)
		assert.True(t, <-compressedIn)
	}
	require.NoError(t, s.CloseSend())
	_, err = s.Recv()
	require.ErrorIs(t, err, io.EOF)
	assert.Less(t, counter.read.Load(), int64(100_000), "ten 100 KB responses arrived compressed: read %d bytes", counter.read.Load())
}

func TestGzipBombIsRefused(t *testing.T) {
	e := newEnv(t, echo, []actorrpc.ServerOption{actorrpc.WithMaxRecvMsgSize(1 << 20)}, actorrpc.WithCompressor("gzip"))
	_, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: strings.Repeat("\x00", 64<<20)})
	assert.Equal(t, actorrpc.ResourceExhausted, actorrpc.CodeOf(err), "got %v", err)
	_, err = e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "still serving"})
	require.NoError(t, err)
}
