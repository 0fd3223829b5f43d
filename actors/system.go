package actors

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// discardHandler is a slog.Handler that drops everything: protoactor-go logs at INFO to
// stderr by default, and a library must not print.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (h discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h discardHandler) WithGroup(string) slog.Handler           { return h }

// NewSystem returns an actor system whose own logging is silenced. Messages that race with
// an actor's stop (a frame for a call that just ended) become dead letters; protoactor-go
// throttles their logging with a goroutine that lives one throttle interval, so the
// interval is kept short. Its process registry is compacted (registry.go).
func NewSystem() *actor.ActorSystem {
	system := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(discardHandler{}) }),
		actor.WithDeadLetterRequestLogging(false),
		actor.WithDeadLetterThrottleInterval(time.Millisecond),
	)
	compactRegistry(system)
	return system
}

var (
	defaultSystemOnce sync.Once
	defaultSystem     *actor.ActorSystem
)

// DefaultSystem returns the process-wide actor system used when no other is given.
func DefaultSystem() *actor.ActorSystem {
	defaultSystemOnce.Do(func() { defaultSystem = NewSystem() })
	return defaultSystem
}
