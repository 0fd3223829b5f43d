package actorrpc_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// helloFunc serves SayHello with a function, so each test states its handler inline.
type helloFunc func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error)

type helloServer struct {
	hellopb.UnimplementedHelloServiceServer
	fn helloFunc
}

func (h helloServer) SayHello(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	return h.fn(ctx, req)
}

// echo answers "Hello, <name>!".
func echo(_ context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
}

// env is one server and one channel to it, each in its own actor system, torn down at
// the end of the test.
type env struct {
	srv    *actorrpc.Server
	ch     *actorrpc.Channel
	client hellopb.HelloServiceClient
	addr   string
}

func newEnv(t *testing.T, fn helloFunc, serverOpts []actorrpc.ServerOption, dialOpts ...actorrpc.DialOption) *env {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := actorrpc.NewServer(append([]actorrpc.ServerOption{actorrpc.WithActorSystem(actors.NewSystem())}, serverOpts...)...)
	hellopb.RegisterHelloServiceServer(srv, helloServer{fn: fn})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	ch, err := actorrpc.Dial(lis.Addr().String(), append([]actorrpc.DialOption{actorrpc.WithActorSystem(actors.NewSystem())}, dialOpts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, ch.Close())
		srv.Stop()
		if err := <-served; !errors.Is(err, actorrpc.ErrServerStopped) {
			require.NoError(t, err) // Serve may not have started before Stop
		}
	})
	return &env{srv: srv, ch: ch, client: hellopb.NewHelloServiceClient(ch), addr: lis.Addr().String()}
}

// testCtx is a context bounded so that a broken test fails instead of hanging.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// spawnCollector spawns an actor that forwards every message of type T to the returned channel.
func spawnCollector[T any](t *testing.T, system *actor.ActorSystem) (*actor.PID, <-chan T) {
	out := make(chan T, 100)
	pid := system.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if m, ok := c.Message().(T); ok {
			out <- m
		}
	}))
	t.Cleanup(func() { _ = system.Root.StopFuture(pid).Wait() })
	return pid, out
}
