package actors

import (
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// ball goes back and forth between two actors until left is 0. There is one per run, so
// the benchmark counts the mailboxes' allocations, not the messages'.
type ball struct {
	left int
	done chan struct{}
}

// player sends the ball to peer, counting down on one side.
type player struct {
	peer  *actor.PID
	count bool
}

func (p *player) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.PID:
		p.peer = m
	case *ball:
		if p.count {
			if m.left == 0 {
				close(m.done)
				return
			}
			m.left--
		}
		ctx.Send(p.peer, m)
	}
}

// BenchmarkMailboxPingPong is one round trip (two messages, each a mailbox activation)
// between two actors on the warm dispatcher, with each mailbox.
func BenchmarkMailboxPingPong(b *testing.B) {
	for _, mk := range mailboxKinds {
		b.Run(mk.name, func(b *testing.B) {
			system := NewSystem()
			d := newWarmDispatcher()
			props := func(p *player) *actor.Props {
				return actor.PropsFromProducer(func() actor.Actor { return p },
					actor.WithMailbox(mk.produce()), actor.WithDispatcher(d))
			}
			a, c := &player{count: true}, &player{}
			pa := system.Root.Spawn(props(a))
			pc := system.Root.Spawn(props(c))
			system.Root.Send(pa, pc)
			system.Root.Send(pc, pa)
			warm := &ball{left: 100, done: make(chan struct{})}
			system.Root.Send(pa, warm)
			<-warm.done

			b.ReportAllocs()
			b.ResetTimer()
			m := &ball{left: b.N, done: make(chan struct{})}
			system.Root.Send(pa, m)
			<-m.done
			b.StopTimer()
			_ = system.Root.StopFuture(pa).Wait()
			_ = system.Root.StopFuture(pc).Wait()
		})
	}
}

// spawner spawns a child, stops it, and does it again when it hears the child stopped.
type spawner struct {
	child *actor.Props
	left  int
	done  chan struct{}
}

func (s *spawner) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started, *actor.Terminated:
		if s.left == 0 {
			close(s.done)
			return
		}
		s.left--
		ctx.Stop(ctx.Spawn(s.child))
	}
}

// BenchmarkMailboxSpawnStop is one child spawned, stopped and reported terminated to its
// parent, with each mailbox (the child's props are built once).
func BenchmarkMailboxSpawnStop(b *testing.B) {
	for _, mk := range mailboxKinds {
		b.Run(mk.name, func(b *testing.B) {
			system := NewSystem()
			d := newWarmDispatcher()
			opts := []actor.PropsOption{actor.WithMailbox(mk.produce()), actor.WithDispatcher(d)}
			child := actor.PropsFromFunc(func(actor.Context) {}, opts...)
			spawn := func(n int) {
				s := &spawner{child: child, left: n, done: make(chan struct{})}
				pid := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return s }, opts...))
				<-s.done
				_ = system.Root.StopFuture(pid).Wait()
			}
			spawn(100)
			b.ReportAllocs()
			b.ResetTimer()
			spawn(b.N)
		})
	}
}
