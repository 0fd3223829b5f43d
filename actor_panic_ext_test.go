package actorrpc_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/supervisor"
)

// touchyGreeter serves HelloService by message and panics on the greeting "panic".
type touchyGreeter struct{}

func (touchyGreeter) Receive(c actor.Context) {
	defer supervisor.KeepStack()
	call, ok := c.Message().(*actorrpc.UnaryCall)
	if !ok {
		return
	}
	if call.Request.(*hellopb.HelloRequest).GetGreeting() == "panic" {
		panic("greeter exploded")
	}
	call.Respond(c, &hellopb.HelloResponse{Reply: "hi"})
}

// touchyEcho serves test.Numbers/Echo by message and panics on the value 13 (or, with
// onOpen, on the call itself).
type touchyEcho struct{ onOpen bool }

func (a touchyEcho) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actorrpc.IncomingStreamCall:
		if a.onOpen {
			panic("echo exploded on open")
		}
	case *actorrpc.StreamMessage:
		v := m.Msg.(*wrapperspb.Int32Value).GetValue()
		if v == 13 {
			panic("echo exploded on 13")
		}
		_ = m.Stream.Send(c, wrapperspb.Int32(v))
	case *actorrpc.StreamEnd:
		m.Stream.Finish(c, m.Err, nil)
	}
}

// failures collects the supervisor.Failure events of system.
func failures(t *testing.T, system *actor.ActorSystem) <-chan *supervisor.Failure {
	out := make(chan *supervisor.Failure, 16)
	sub := system.EventStream.Subscribe(func(ev any) {
		if f, ok := ev.(*supervisor.Failure); ok {
			out <- f
		}
	})
	t.Cleanup(func() { system.EventStream.Unsubscribe(sub) })
	return out
}

// spawnGuarded spawns a from the root under EndCallOnPanic and stops it at the end.
func spawnGuarded(t *testing.T, system *actor.ActorSystem, a actor.Actor) *actor.PID {
	pid := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return a },
		actor.WithGuardian(actorrpc.EndCallOnPanic(nil))))
	t.Cleanup(func() { _ = system.Root.StopFuture(pid).Wait() })
	return pid
}

func TestActorHandlerPanicEndsItsUnaryCall(t *testing.T) {
	serverSystem := actors.NewSystem()
	failed := failures(t, serverSystem)
	pid := spawnGuarded(t, serverSystem, touchyGreeter{})
	e := newEnvRegister(t, func(srv *actorrpc.Server) { hellopb.RegisterHelloServiceActor(srv, pid) }, serverSystem)

	_, err := e.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "panic"})
	st := actorrpc.StatusOf(err)
	assert.Equal(t, actorrpc.Internal, st.Code(), "got %v; want INTERNAL at once, not the deadline", err)
	assert.Contains(t, st.Message(), "greeter exploded")

	f := <-failed
	assert.Equal(t, "greeter exploded", f.Reason.Value)
	assert.Contains(t, string(f.Reason.Stack), "actor_panic_ext_test.go", "the event carries the actor's stack")
	assert.Equal(t, "*callactor.UnaryCall", f.Message)

	resp, err := e.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "after"})
	require.NoError(t, err, "the restarted actor serves the next call")
	assert.Equal(t, "hi", resp.GetReply())
}

func TestActorHandlerPanicEndsItsStream(t *testing.T) {
	for _, tc := range []struct {
		name   string
		actor  touchyEcho
		send   []int32
		panics string
	}{
		{"panic on the call", touchyEcho{onOpen: true}, nil, "echo exploded on open"},
		{"panic on a message", touchyEcho{}, []int32{1, 13}, "echo exploded on 13"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serverSystem := actors.NewSystem()
			failed := failures(t, serverSystem)
			pid := spawnGuarded(t, serverSystem, tc.actor)
			e := newStreamEnvRegister(t, func(srv *actorrpc.Server) { srv.RegisterActorService(&numbersDesc, pid) },
				[]actorrpc.ServerOption{actorrpc.WithActorSystem(serverSystem)})

			s, err := e.ch.NewStream(testCtx(t), &numbersDesc.Streams[2], "/test.Numbers/Echo")
			require.NoError(t, err)
			for _, v := range tc.send {
				_ = s.SendMsg(wrapperspb.Int32(v))
			}
			var got []int32
			for {
				in := new(wrapperspb.Int32Value)
				if err = s.RecvMsg(in); err != nil {
					break
				}
				got = append(got, in.GetValue())
			}
			st := actorrpc.StatusOf(err)
			assert.Equal(t, actorrpc.Internal, st.Code(), "got %v; want INTERNAL", err)
			assert.Contains(t, st.Message(), tc.panics)
			assert.Subset(t, []int32{1}, got, "messages before the panic may arrive")
			assert.Equal(t, tc.panics, (<-failed).Reason.Value)
		})
	}
}

// touchyTally consumes a client stream by message and panics on its first message.
type touchyTally struct{ ended chan error }

func (a touchyTally) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actorrpc.StreamMessage:
		panic("consumer exploded")
	case *actorrpc.StreamEnd:
		a.ended <- m.Err
	}
}

func TestClientStreamActorPanicCancelsItsStream(t *testing.T) {
	clientSystem := actors.NewSystem()
	failed := failures(t, clientSystem)
	handlerDone := make(chan error, 1)
	impl := &numbers{echo: func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
		for {
			v, err := s.Recv()
			if err == nil {
				err = s.Send(v)
			}
			if err != nil {
				handlerDone <- err
				return err
			}
		}
	}}
	e := newStreamEnvOpts(t, impl, nil, actorrpc.WithActorSystem(clientSystem))
	ended := make(chan error, 1)
	pid := spawnGuarded(t, clientSystem, touchyTally{ended: ended})

	ref, err := e.ch.StartStream(testCtx(t), &numbersDesc.Streams[2], "/test.Numbers/Echo", pid,
		func() proto.Message { return new(wrapperspb.Int32Value) })
	require.NoError(t, err)
	require.NoError(t, ref.Send(clientSystem.Root, wrapperspb.Int32(7)))

	assert.Equal(t, "consumer exploded", (<-failed).Reason.Value)
	err = <-handlerDone
	assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err), "the server's handler sees the cancellation: %v", err)
	assert.False(t, errors.Is(err, io.EOF))
	select {
	case err := <-ended:
		// The restarted consumer may still be told how its stream ended.
		assert.True(t, strings.Contains(err.Error(), "consumer exploded"), "got %v", err)
	default:
	}
}

// newEnvRegister serves HelloService as register says, from serverSystem, and returns a
// client on a Channel to it.
func newEnvRegister(t *testing.T, register func(*actorrpc.Server), serverSystem *actor.ActorSystem) hellopb.HelloServiceClient {
	t.Helper()
	e := newStreamEnvRegister(t, register, []actorrpc.ServerOption{actorrpc.WithActorSystem(serverSystem)})
	return hellopb.NewHelloServiceClient(e.ch)
}
