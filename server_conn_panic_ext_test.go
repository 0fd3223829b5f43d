package actorrpc_test

import (
	"context"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// panicListener hands out connections whose Write panics once when armed: the server's
// connection actor, which writes from its Receive, panics.
type panicListener struct {
	net.Listener
	armed *atomic.Bool
}

func (l panicListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return panicConn{Conn: c, armed: l.armed}, nil
}

// TestServerConnectionActorPanics: a server connection actor that panics ends the calls on
// its connection UNAVAILABLE and closes it; the server lives and the channel reconnects.
func TestServerConnectionActorPanics(t *testing.T) {
	serverSystem := actors.NewSystem()
	failed := failures(t, serverSystem)
	var armed atomic.Bool
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(serverSystem), actorrpc.WithLogger(slog.New(slog.DiscardHandler)))
	started, handlerCtxErr := make(chan struct{}), make(chan error, 1)
	hellopb.RegisterHelloServiceServer(srv, helloServer{fn: func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		if req.GetGreeting() == "wait" {
			armed.Store(true) // the connection actor's next write panics
			close(started)
			<-ctx.Done()
			handlerCtxErr <- ctx.Err()
			return nil, ctx.Err()
		}
		return echo(ctx, req)
	}})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(panicListener{Listener: lis, armed: &armed}) }()
	defer func() { srv.Stop(); <-served }()
	ch, err := actorrpc.Dial(lis.Addr().String(), actorrpc.WithActorSystem(actors.NewSystem()))
	require.NoError(t, err)
	defer ch.Close()
	client := hellopb.NewHelloServiceClient(ch)
	_, err = client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "first"})
	require.NoError(t, err)

	// A call is in flight on the connection when its actor panics on its next write (at
	// the latest, the answer to a second call).
	waiting := make(chan error, 1)
	go func() {
		_, err := client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "wait"})
		waiting <- err
	}()
	<-started
	_, err = client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "boom"})
	assert.Contains(t, []actorrpc.Code{actorrpc.OK, actorrpc.Unavailable}, actorrpc.CodeOf(err),
		"the second call ends on the panicking connection or succeeds on the next: %v", err)
	err = <-waiting
	assert.Equal(t, actorrpc.Unavailable, actorrpc.CodeOf(err), "the call in flight on that connection: %v", err)
	assert.ErrorIs(t, <-handlerCtxErr, context.Canceled, "its handler is cancelled: no further work")

	f := <-failed
	assert.Equal(t, "test: connection write panics", f.Reason.Value)
	_, err = client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "after"})
	require.NoError(t, err, "the server lives; the channel reconnects")
}
