// Package callwatch arms what ends a client call from outside its actor: the call's
// deadline and its caller's context. Each posts a message to the call actor; neither touches
// the actor's state.
package callwatch

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// DeadlinePassed is posted when the call's deadline passes.
type DeadlinePassed struct{}

// ContextDone is posted when the caller's context ends (cancelled, or its own deadline).
type ContextDone struct{}

// Watch is an armed deadline timer and context watch. The zero Watch is disarmed.
type Watch struct {
	timer   *time.Timer
	stopCtx func() bool
}

// Arm posts DeadlinePassed to self at deadline (when hasDeadline) and ContextDone when ctx
// ends. passed reports a deadline already gone: then nothing is armed.
func Arm(system *actor.ActorSystem, self *actor.PID, ctx context.Context, deadline time.Time, hasDeadline bool) (w Watch, passed bool) {
	if hasDeadline {
		d := time.Until(deadline)
		if d <= 0 {
			return Watch{}, true
		}
		w.timer = time.AfterFunc(d, func() { system.Root.Send(self, &DeadlinePassed{}) })
	}
	if ctx != nil && ctx.Done() != nil {
		w.stopCtx = context.AfterFunc(ctx, func() { system.Root.Send(self, &ContextDone{}) })
	}
	return w, false
}

// Stop disarms both.
func (w Watch) Stop() {
	if w.timer != nil {
		w.timer.Stop()
	}
	if w.stopCtx != nil {
		w.stopCtx()
	}
}
