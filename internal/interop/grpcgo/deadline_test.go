package grpcgo_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// sleepyServer's UnaryCall sleeps until its context is done and reports what it saw.
type sleepyServer struct {
	testpb.UnimplementedTestServiceServer
	seen chan handlerCtx
}

// handlerCtx is what a handler's context looked like when it was done.
type handlerCtx struct {
	deadline    time.Time
	hasDeadline bool
	err         error
}

func (s sleepyServer) UnaryCall(ctx context.Context, _ *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	<-ctx.Done()
	d, ok := ctx.Deadline()
	s.seen <- handlerCtx{deadline: d, hasDeadline: ok, err: ctx.Err()}
	return nil, ctx.Err()
}

// TestServerDeadlineWithGrpcGoClient: grpc-go's grpc-timeout reaches actorrpc's handler as
// its context's deadline, the handler's context ends when it passes, and the grpc-go
// client sees DEADLINE_EXCEEDED.
func TestServerDeadlineWithGrpcGoClient(t *testing.T) {
	const timeout = 200 * time.Millisecond
	seen := make(chan handlerCtx, 1)
	tc := testgrpc.NewTestServiceClient(dialGrpcGo(t, startOurServer(t, sleepyServer{seen: seen})))

	start := time.Now()
	ctx, cancel := context.WithTimeout(testCtx(t), timeout)
	defer cancel()
	_, err := tc.UnaryCall(ctx, &testgrpc.SimpleRequest{})
	assert.Equal(t, codes.DeadlineExceeded, status.Code(err), "client got %v; want DEADLINE_EXCEEDED", err)

	select {
	case h := <-seen:
		require.True(t, h.hasDeadline, "the handler's context has no deadline")
		assert.WithinDuration(t, start.Add(timeout), h.deadline, timeout/2, "handler's deadline")
		assert.Error(t, h.err, "the handler's context ended without an error")
	case <-testCtx(t).Done():
		t.Fatal("the handler's context never ended")
	}
}
