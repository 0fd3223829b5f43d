package grpcgo_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	grpcinterop "google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// testCtx is a context bounded so that a broken test fails instead of hanging.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// listen returns a loopback listener on a free port.
func listen(t *testing.T) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return lis
}

// startOurServer serves impl as TestService with actorrpc, configured by opts, in an
// actor system of its own, until the test ends; it returns the address.
func startOurServer(t *testing.T, impl testpb.TestServiceServer, opts ...actorrpc.ServerOption) string {
	t.Helper()
	lis := listen(t)
	srv := actorrpc.NewServer(append([]actorrpc.ServerOption{actorrpc.WithActorSystem(actors.NewSystem())}, opts...)...)
	testpb.RegisterTestServiceServer(srv, impl)
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

// dialOurs returns an actorrpc Channel to addr, configured by opts, in an actor system of
// its own, closed when the test ends.
func dialOurs(t *testing.T, addr string, opts ...actorrpc.DialOption) *actorrpc.Channel {
	t.Helper()
	ch, err := actorrpc.Dial(addr, append([]actorrpc.DialOption{actorrpc.WithActorSystem(actors.NewSystem())}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, ch.Close()) })
	return ch
}

// startGrpcGoServer serves grpc-go's interop TestService until the test ends; it returns
// the address.
func startGrpcGoServer(t *testing.T) string {
	t.Helper()
	return startGrpcGoServerWith(t, grpcinterop.NewTestServer())
}

// startGrpcGoServerWith serves impl as TestService with grpc-go, configured by opts, until
// the test ends.
func startGrpcGoServerWith(t *testing.T, impl testgrpc.TestServiceServer, opts ...grpc.ServerOption) string {
	t.Helper()
	lis := listen(t)
	srv := grpc.NewServer(opts...)
	testgrpc.RegisterTestServiceServer(srv, impl)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		require.NoError(t, <-served)
	})
	return lis.Addr().String()
}

// dialGrpcGo returns a plaintext grpc-go ClientConn to addr, configured by opts, closed
// when the test ends.
func dialGrpcGo(t *testing.T, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	cc, err := newGrpcGoConn(addr, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, cc.Close()) })
	return cc
}

// newGrpcGoConn returns a plaintext grpc-go ClientConn to addr, configured by opts.
func newGrpcGoConn(addr string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	return grpc.NewClient("passthrough:///"+addr, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
}
