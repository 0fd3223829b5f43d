package grpcgo_test

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	grpcinterop "google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// TestOurClientThroughGrpcGoGracefulStop: calls keep coming, back to back, while a grpc-go
// server stops gracefully (GOAWAY, drain) and another takes its place. Calls the old server
// never processed are retried transparently on the new one; none fails.
func TestOurClientThroughGrpcGoGracefulStop(t *testing.T) {
	var target atomic.Pointer[string]
	first := listen(t)
	addr := first.Addr().String()
	target.Store(&addr)
	old := grpc.NewServer()
	testgrpc.RegisterTestServiceServer(old, grpcinterop.NewTestServer())
	served := make(chan error, 1)
	go func() { served <- old.Serve(first) }()
	var d net.Dialer
	ch := dialOurs(t, "server:443", actorrpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", *target.Load())
	}))
	client := testpb.NewTestServiceClient(ch)
	call := func() error {
		_, err := client.UnaryCall(testCtx(t), &testpb.SimpleRequest{ResponseSize: 10})
		return err
	}
	require.NoError(t, call())

	const workers, calls = 32, 200
	errs := make(chan error, workers*calls)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				errs <- call()
			}
		}()
	}
	for range workers * calls / 4 { // a quarter done: the rest are coming
		require.NoError(t, <-errs)
	}
	next := startGrpcGoServer(t)
	target.Store(&next)
	old.GracefulStop()
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.NoError(t, <-served)
}
