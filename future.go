package actorrpc

import (
	"context"
	"errors"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// ErrNotDone is what Future.Result returns while the call is still running.
var ErrNotDone = errors.New("actorrpc: future not done")

// Future is the result of a call that is still running. It never blocks the caller that
// started the call; many goroutines may await it, and actors may have it piped to them.
type Future[T any] struct {
	done   chan struct{}
	system *actor.ActorSystem

	// value and err are written once, before done is closed, and only read after.
	value T
	err   error

	// mu guards pipes: the set-once result cell at the API edge, not call state.
	mu    sync.Mutex
	pipes []*actor.PID
	ended bool
}

// FutureResult is the message a piped Future delivers to an actor.
type FutureResult[T any] struct {
	// Value is the response; the zero value when Err is not nil.
	Value T
	// Err is nil on success, else an error carrying a *Status.
	Err error
}

func newFuture[T any](system *actor.ActorSystem) *Future[T] {
	return &Future[T]{done: make(chan struct{}), system: system}
}

// complete sets the result once and delivers it to every pipe.
func (f *Future[T]) complete(v T, err error) {
	f.mu.Lock()
	if f.ended {
		f.mu.Unlock()
		return
	}
	f.value, f.err, f.ended = v, err, true
	pipes := f.pipes
	f.pipes = nil
	close(f.done)
	f.mu.Unlock()
	for _, pid := range pipes {
		f.send(pid)
	}
}

func (f *Future[T]) send(pid *actor.PID) {
	f.system.Root.Send(pid, &FutureResult[T]{Value: f.value, Err: f.err})
}

// Done returns a channel that is closed when the call has ended.
func (f *Future[T]) Done() <-chan struct{} { return f.done }

// Await blocks until the call ends or ctx is done. When ctx ends first it returns a
// CANCELLED or DEADLINE_EXCEEDED error; the call itself goes on under its own context.
func (f *Future[T]) Await(ctx context.Context) (T, error) {
	select {
	case <-f.done:
		return f.value, f.err
	case <-ctx.Done():
		var zero T
		return zero, StatusOf(ctx.Err()).Err()
	}
}

// Result returns the call's result if it has ended, or ErrNotDone.
func (f *Future[T]) Result() (T, error) {
	select {
	case <-f.done:
		return f.value, f.err
	default:
		var zero T
		return zero, ErrNotDone
	}
}

// PipeTo delivers the result to the actor pid as a *FutureResult[T] message when the call
// ends (at once if it already has). It may be called several times, for several actors.
func (f *Future[T]) PipeTo(pid *actor.PID) {
	f.mu.Lock()
	if !f.ended {
		f.pipes = append(f.pipes, pid)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	f.send(pid)
}
