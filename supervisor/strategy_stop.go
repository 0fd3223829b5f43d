package supervisor

import (
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// Failure is the event published when a supervised actor fails.
type Failure struct {
	// Child is the actor that failed; it is being stopped.
	Child *actor.PID
	// Reason is the panic, with its stack.
	Reason *Panic
	// Message is the type of the message being processed when it failed.
	Message string
}

// LogValue renders the event for log/slog.
func (f *Failure) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("actor", f.Child.GetId()),
		slog.Any("panic", f.Reason.Value),
		slog.String("message", f.Message),
		slog.String("stack", string(f.Reason.Stack)),
	)
}

// stopStrategy stops a failed child and never restarts it.
type stopStrategy struct{ log *slog.Logger }

// StopOnFailure returns the strategy for actorrpc's actors: a failed child is stopped (its
// Stopping handler ends its call or connection with a status), the failure is published on
// the event stream and logged. Siblings and the parent go on.
func StopOnFailure(logger *slog.Logger) actor.SupervisorStrategy {
	return stopStrategy{log: logger}
}

// HandleFailure implements actor.SupervisorStrategy.
func (s stopStrategy) HandleFailure(system *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, _ *actor.RestartStatistics, reason any, message any) {
	p, ok := reason.(*Panic)
	if !ok {
		p = &Panic{Value: reason} // the stack is lost unless CaptureStack wrapped it
	}
	ev := &Failure{Child: child, Reason: p, Message: fmt.Sprintf("%T", message)}
	if s.log != nil {
		s.log.Error("actorrpc: actor failed; stopping it", slog.Any("failure", ev))
	}
	system.EventStream.Publish(ev)
	sup.StopChildren(child)
}
