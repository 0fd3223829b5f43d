package interop_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/interop"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// testCtx is a context bounded so that a broken test fails instead of hanging.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startServer serves impl as TestService over loopback TCP, in an actor system of its
// own, until the test ends; it returns the address.
func startServer(t *testing.T, impl testpb.TestServiceServer) string {
	t.Helper()
	return startServerWith(t, func(srv *actorrpc.Server) { testpb.RegisterTestServiceServer(srv, impl) })
}

// startServerWith serves what register registers, like startServer.
func startServerWith(t *testing.T, register func(*actorrpc.Server)) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()))
	register(srv)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		if err := <-served; !errors.Is(err, actorrpc.ErrServerStopped) {
			require.NoError(t, err)
		}
	})
	return lis.Addr().String()
}

// newEnv returns a client test environment for addr: a Channel, dialling through a
// WireTap, closed when the test ends; a Dial for channel_soak; and a small soak whose
// lines go to log.
func newEnv(t *testing.T, addr string, log *syncBuffer) interop.Env {
	t.Helper()
	system := actors.NewSystem()
	dial := func() (*actorrpc.Channel, error) { return actorrpc.Dial(addr, actorrpc.WithActorSystem(system)) }
	tap := interop.NewWireTap()
	ch, err := actorrpc.Dial(addr, actorrpc.WithActorSystem(system), tap.DialOption())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, ch.Close()) })
	return interop.Env{Channel: ch, Dial: dial, Soak: soakConfig(addr, log), Wire: tap}
}

// soakConfig is the interop client's default soak, with smaller messages.
func soakConfig(addr string, log *syncBuffer) interop.SoakConfig {
	return interop.SoakConfig{
		RequestSize: 2718, ResponseSize: 3141,
		PerIterationMaxAcceptableLatency: 5 * time.Second, OverallTimeout: 20 * time.Second,
		ServerAddr: addr, NumWorkers: 1, Iterations: 10, Log: log,
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
