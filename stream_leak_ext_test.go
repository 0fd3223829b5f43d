package actorrpc_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
)

// countActors is how many processes an actor system has registered.
func countActors(system *actor.ActorSystem) int {
	n := 0
	for _, bucket := range system.ProcessRegistry.LocalPIDs.LocalPIDs {
		n += bucket.Count()
	}
	return n
}

// TestDroppedStreamHandlesLeakNothing opens streams and drops their handles without
// draining or cancelling them (grpc-go documents that this leaks a goroutine and a
// context). Each dropped handle's cleanup cancels its call: the client's stream actors,
// the server's stream actors and the server's handler goroutines all go away.
func TestDroppedStreamHandlesLeakNothing(t *testing.T) {
	clientSystem, serverSystem := actors.NewSystem(), actors.NewSystem()
	e := newStreamEnvWith(t, defaultNumbers(), clientSystem, serverSystem)
	warm := e.open(t, testCtx(t), "Echo")
	require.NoError(t, warm.CloseSend())
	_, err := warm.Recv()
	require.Error(t, err)
	clientBase, serverBase := countActors(clientSystem), countActors(serverSystem)
	goroutineBase := runtime.NumGoroutine()

	openAndDrop := func() {
		s := e.open(t, testCtx(t), "Echo")
		require.NoError(t, s.Send(wrapperspb.Int32(1)))
		_, err := s.Recv() // the server handler is now running
		require.NoError(t, err)
	}
	for range 200 {
		openAndDrop()
	}
	require.Greater(t, countActors(clientSystem), clientBase, "the streams are live")

	deadline := time.Now().Add(10 * time.Second)
	for countActors(clientSystem) > clientBase || countActors(serverSystem) > serverBase || runtime.NumGoroutine() > goroutineBase {
		require.True(t, time.Now().Before(deadline), "leaked: %d client actors (base %d), %d server actors (base %d), %d goroutines (base %d)",
			countActors(clientSystem), clientBase, countActors(serverSystem), serverBase, runtime.NumGoroutine(), goroutineBase)
		runtime.GC() // runs the dropped handles' cleanups
		<-time.After(10 * time.Millisecond)
	}
}

func newStreamEnvWith(t *testing.T, impl *numbers, clientSystem, serverSystem *actor.ActorSystem) *streamEnv {
	return newStreamEnvOpts(t, impl, []actorrpc.ServerOption{actorrpc.WithActorSystem(serverSystem)}, actorrpc.WithActorSystem(clientSystem))
}
