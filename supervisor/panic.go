package supervisor

import (
	"fmt"
	"runtime/debug"

	"github.com/asynkron/protoactor-go/actor"
)

// Panic is a recovered panic with the stack where it happened.
type Panic struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

// Error makes a Panic usable as an error.
func (p *Panic) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Recovered wraps a value from recover() with the current stack (call it in the deferred
// function that recovered). A value that already is a *Panic is returned as is.
func Recovered(r any) *Panic {
	if p, ok := r.(*Panic); ok {
		return p
	}
	return &Panic{Value: r, Stack: debug.Stack()}
}

// KeepStack, deferred at the top of an actor's Receive, re-panics with a *Panic carrying
// the stack of the original panic (protoactor-go's own recover would lose it). It costs
// far less than CaptureStack, which makes protoactor-go wrap every message in an envelope.
func KeepStack() {
	if r := recover(); r != nil {
		panic(Recovered(r))
	}
}

// CaptureStack is receiver middleware that re-panics with a *Panic carrying the stack of the
// original panic, which protoactor-go's own recover would lose.
func CaptureStack(next actor.ReceiverFunc) actor.ReceiverFunc {
	return func(c actor.ReceiverContext, env *actor.MessageEnvelope) {
		defer func() {
			if r := recover(); r != nil {
				panic(Recovered(r))
			}
		}()
		next(c, env)
	}
}
