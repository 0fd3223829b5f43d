package actorrpc

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/streamactor"
	"github.com/actorrpc/actorrpc/supervisor"
	"github.com/actorrpc/actorrpc/wire"
)

// EndCallOnPanic returns a supervisor strategy for the actors that serve or drive calls by
// message (RegisterActorService, actor-driven streams). When such an actor panics while it
// handles a call's message (*UnaryCall, *IncomingStreamCall, *StreamHeader, *StreamMessage,
// *StreamEnd), that call ends at once with INTERNAL naming the panic — instead of waiting
// for its deadline — and a *supervisor.Failure event goes out on the actor system's event
// stream. Then next decides what happens to the actor itself; nil means protoactor-go's
// default (restart it, so its other calls go on).
//
// Use it where the failure of the serving actor is handled: as the guardian of an actor
// spawned from the root (actor.WithGuardian(actorrpc.EndCallOnPanic(nil))) or as the
// supervisor strategy of its parent (actor.WithSupervisor). The event carries the panic's
// stack only if the actor keeps it: defer supervisor.KeepStack() at the top of Receive,
// or spawn it with actor.WithReceiverMiddleware(supervisor.CaptureStack).
func EndCallOnPanic(next actor.SupervisorStrategy) actor.SupervisorStrategy {
	if next == nil {
		next = actor.DefaultSupervisorStrategy()
	}
	return endCallOnPanic{next: next}
}

// endCallOnPanic ends the call whose message was being handled, then delegates.
type endCallOnPanic struct{ next actor.SupervisorStrategy }

// HandleFailure implements actor.SupervisorStrategy.
func (s endCallOnPanic) HandleFailure(system *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason any, message any) {
	p, ok := reason.(*supervisor.Panic)
	if !ok {
		p = &supervisor.Panic{Value: reason}
	}
	system.EventStream.Publish(&supervisor.Failure{Child: child, Reason: p, Message: fmt.Sprintf("%T", message)})
	st := wire.NewStatus(wire.Internal, fmt.Sprintf("grpc: actor handler panicked: %v", p.Value))
	switch m := message.(type) {
	case *UnaryCall:
		m.Fail(system.Root, st)
	case *IncomingStreamCall:
		endStream(system, m.Stream, st)
	case *StreamHeader:
		endStream(system, m.Stream, st)
	case *StreamMessage:
		endStream(system, m.Stream, st)
	}
	// A panic on *StreamEnd needs nothing: that stream has ended already.
	s.next.HandleFailure(system, sup, child, rs, reason, message)
}

// endStream ends a stream whose serving or receiving actor failed: a server stream
// finishes with st; a client stream is cancelled with st.
func endStream(system *actor.ActorSystem, ref *streamactor.StreamRef, st *wire.Status) {
	if ref != nil {
		system.Root.Send(ref.PID(), &streamactor.Cancel{Status: st})
	}
}
