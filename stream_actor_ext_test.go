package actorrpc_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
)

// echoActor serves test.Numbers/Echo for every stream at once: it answers each message by
// message and finishes a stream when its client half-closes. No goroutine per stream.
type echoActor struct{ streams int }

func (a *echoActor) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actorrpc.IncomingStreamCall:
		a.streams++
	case *actorrpc.StreamMessage:
		v := m.Msg.(*wrapperspb.Int32Value)
		if err := m.Stream.Send(c, wrapperspb.Int32(v.GetValue()*10)); err != nil {
			m.Stream.Finish(c, err, nil)
		}
	case *actorrpc.StreamEnd:
		m.Stream.Finish(c, m.Err, actorrpc.Pairs("served-by", "actor"))
	}
}

// streamTally is a client-side actor that consumes many streams as messages.
type streamTally struct {
	messages map[*actor.PID][]int32
	ended    chan error
	first    chan struct{} // one per stream, on its first message
}

func (s *streamTally) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actorrpc.StreamMessage:
		s.messages[m.Stream.PID()] = append(s.messages[m.Stream.PID()], m.Msg.(*wrapperspb.Int32Value).GetValue())
		if len(s.messages[m.Stream.PID()]) == 1 {
			s.first <- struct{}{}
		}
	case *actorrpc.StreamEnd:
		got := s.messages[m.Stream.PID()]
		if m.Err == nil && (len(got) != 3 || got[0] != 10 || got[1] != 20 || got[2] != 30) {
			m.Err = actorrpc.Errorf(actorrpc.Internal, "stream got %v; want [10 20 30]", got)
		}
		if m.Err == nil && m.Trailer["served-by"][0] != "actor" {
			m.Err = actorrpc.Errorf(actorrpc.Internal, "trailer %v", m.Trailer)
		}
		delete(s.messages, m.Stream.PID())
		s.ended <- m.Err
	}
}

// TestActorsDriveThousandsOfStreams: one actor serves 2000 concurrent bidi streams and one
// actor consumes them; the number of goroutines stays flat (no goroutine per stream).
func TestActorsDriveThousandsOfStreams(t *testing.T) {
	const streams = 2000
	serverSystem, clientSystem := actors.NewSystem(), actors.NewSystem()
	server := serverSystem.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &echoActor{} }))
	defer func() { _ = serverSystem.Root.StopFuture(server).Wait() }()
	e := newStreamEnvWithActor(t, server, serverSystem, clientSystem)

	ended, first := make(chan error, streams), make(chan struct{}, streams)
	tally := clientSystem.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &streamTally{messages: map[*actor.PID][]int32{}, ended: ended, first: first}
	}))
	defer func() { _ = clientSystem.Root.StopFuture(tally).Wait() }()

	base := runtime.NumGoroutine()
	refs := make([]*actorrpc.StreamRef, streams)
	for i := range refs {
		ref, err := e.ch.StartStream(testCtx(t), &numbersDesc.Streams[2], "/test.Numbers/Echo", tally,
			func() proto.Message { return new(wrapperspb.Int32Value) })
		require.NoError(t, err)
		require.NoError(t, ref.Send(clientSystem.Root, wrapperspb.Int32(1)))
		refs[i] = ref
	}
	for range streams {
		<-first // every stream is open and has answered once
	}
	// Busy mailboxes run on goroutines that stay warm a few milliseconds; once the streams
	// are idle, the goroutines go back to the baseline although 2000 streams are open. A
	// goroutine per stream would keep thousands.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base+20 {
		require.True(t, time.Now().Before(deadline), "no goroutine per stream: %d goroutines with %d streams open (base %d)", runtime.NumGoroutine(), streams, base)
		<-time.After(10 * time.Millisecond)
	}
	for _, ref := range refs {
		require.NoError(t, ref.Send(clientSystem.Root, wrapperspb.Int32(2)))
		require.NoError(t, ref.Send(clientSystem.Root, wrapperspb.Int32(3)))
		ref.CloseSend(clientSystem.Root)
	}
	for range streams {
		require.NoError(t, <-ended)
	}
}

func newStreamEnvWithActor(t *testing.T, pid *actor.PID, serverSystem, clientSystem *actor.ActorSystem) *streamEnv {
	t.Helper()
	e := newStreamEnvRegister(t, func(srv *actorrpc.Server) { srv.RegisterActorService(&numbersDesc, pid) },
		// 2000 streams open at once: above the default SETTINGS_MAX_CONCURRENT_STREAMS (1000).
		[]actorrpc.ServerOption{actorrpc.WithActorSystem(serverSystem), actorrpc.MaxConcurrentStreams(4000)}, actorrpc.WithActorSystem(clientSystem))
	return e
}
