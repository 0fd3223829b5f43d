package actors

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
)

// probe is a test actor: it runs the functions it is sent in its own context (to spawn
// children, to send and request as itself) and forwards every other message to msgs.
type probe struct {
	msgs chan any
}

// run is a function a probe runs in its own context.
type run func(ctx actor.Context)

func (p *probe) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case run:
		m(ctx)
	case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting:
	case *actor.Terminated:
		// a child (a connection) stopped; it may come before the child's last message.
	default:
		p.msgs <- m
	}
}

// spawnProbe starts a probe in system, stopped when the test ends.
func spawnProbe(t *testing.T, system *actor.ActorSystem) (*actor.PID, chan any) {
	t.Helper()
	msgs := make(chan any, 1024)
	pid := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &probe{msgs: msgs} }))
	t.Cleanup(func() { _ = system.Root.StopFuture(pid).Wait() })
	return pid, msgs
}

// do runs fn in the probe's context and waits for it to return.
func do(system *actor.ActorSystem, pid *actor.PID, fn func(ctx actor.Context)) {
	done := make(chan struct{})
	system.Root.Send(pid, run(func(ctx actor.Context) { fn(ctx); close(done) }))
	<-done
}

const waitFor = 10 * time.Second

// expect returns the next message a probe got, which must be a T.
func expect[T any](t *testing.T, msgs <-chan any) T {
	t.Helper()
	select {
	case m := <-msgs:
		v, ok := m.(T)
		require.True(t, ok, "got %T %+v; want %T", m, m, *new(T))
		return v
	case <-time.After(waitFor):
		var zero T
		t.Fatalf("got nothing in %v; want %T", waitFor, zero)
		return zero
	}
}
