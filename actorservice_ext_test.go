package actorrpc_test

import (
	"context"
	"net"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// greeterActor serves HelloService by message: it counts calls as its own state, with no
// lock, and answers each one with Respond or Fail.
type greeterActor struct{ calls int }

func (g *greeterActor) Receive(c actor.Context) {
	call, ok := c.Message().(*actorrpc.UnaryCall)
	if !ok {
		return
	}
	g.calls++
	req := call.Request.(*hellopb.HelloRequest)
	if req.GetGreeting() == "" {
		call.Fail(c, actorrpc.Errorf(actorrpc.InvalidArgument, "call %d: empty name", g.calls))
		return
	}
	call.SetHeader(actorrpc.Pairs("served-by", "actor"))
	call.Respond(c, &hellopb.HelloResponse{Reply: "Hello from an actor, " + req.GetGreeting()})
}

func TestActorServedMethod(t *testing.T) {
	system := actors.NewSystem()
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(system))
	pid := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &greeterActor{} }))
	defer func() { _ = system.Root.StopFuture(pid).Wait() }()
	hellopb.RegisterHelloServiceActor(srv, pid)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	defer func() { srv.Stop(); <-served }()
	ch, err := actorrpc.Dial(lis.Addr().String(), actorrpc.WithActorSystem(actors.NewSystem()))
	require.NoError(t, err)
	defer ch.Close()
	client := hellopb.NewHelloServiceClient(ch)

	var header actorrpc.Metadata
	resp, err := client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "bob"}, actorrpc.Header(&header))
	require.NoError(t, err)
	assert.Equal(t, "Hello from an actor, bob", resp.GetReply())
	assert.Equal(t, []string{"actor"}, header["served-by"])

	_, err = client.SayHello(testCtx(t), &hellopb.HelloRequest{})
	st := actorrpc.StatusOf(err)
	assert.Equal(t, actorrpc.InvalidArgument, st.Code())
	assert.Equal(t, "call 2: empty name", st.Message())
}

func TestActorThatNeverAnswersIsBoundedByTheDeadline(t *testing.T) {
	system := actors.NewSystem()
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(system))
	silent := system.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {}))
	defer func() { _ = system.Root.StopFuture(silent).Wait() }()
	hellopb.RegisterHelloServiceActor(srv, silent)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	defer func() { srv.Stop(); <-served }()
	ch, err := actorrpc.Dial(lis.Addr().String(), actorrpc.WithActorSystem(actors.NewSystem()))
	require.NoError(t, err)
	defer ch.Close()
	ctx, cancel := context.WithTimeout(testCtx(t), 100_000_000) // 100 ms
	defer cancel()
	_, err = hellopb.NewHelloServiceClient(ch).SayHello(ctx, &hellopb.HelloRequest{Greeting: "anyone"})
	assert.Equal(t, actorrpc.DeadlineExceeded, actorrpc.CodeOf(err))
}
