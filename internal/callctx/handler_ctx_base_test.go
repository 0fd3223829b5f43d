package callctx

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHandlerContextEnds: however a handler's context ends (its call, its deadline, its
// base), Err says why only once Done is closed, and contexts derived from it end with it.
func TestHandlerContextEnds(t *testing.T) {
	errBase := errors.New("server stopped")
	tests := []struct {
		name      string
		askDone   bool // Done asked before it ends (registered with its base)
		end       func(h *Handler, stopBase context.CancelCauseFunc)
		wantErr   error
		baseCause bool
	}{
		{"call ended", false, func(h *Handler, _ context.CancelCauseFunc) { h.Cancel() }, context.Canceled, false},
		{"call ended, Done asked", true, func(h *Handler, _ context.CancelCauseFunc) { h.Cancel() }, context.Canceled, false},
		{"deadline", false, func(h *Handler, _ context.CancelCauseFunc) { h.Expire() }, context.DeadlineExceeded, false},
		{"deadline, Done asked", true, func(h *Handler, _ context.CancelCauseFunc) { h.Expire() }, context.DeadlineExceeded, false},
		{"base ended", false, func(_ *Handler, stop context.CancelCauseFunc) { stop(errBase) }, context.Canceled, true},
		{"base ended, Done asked", true, func(_ *Handler, stop context.CancelCauseFunc) { stop(errBase) }, context.Canceled, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, stopBase := context.WithCancelCause(context.Background())
			defer stopBase(nil)
			h := NewHandler(base, time.Time{}, false)
			if tt.askDone {
				select {
				case <-h.Done():
					t.Fatal("Done closed before the context ended")
				default:
				}
			}
			require.NoError(t, h.Err())
			child, cancelChild := context.WithCancel(h)
			defer cancelChild()

			tt.end(h, stopBase)
			if !tt.baseCause {
				assert.ErrorIs(t, child.Err(), tt.wantErr, "a derived context ends with it, at once")
			}
			err := h.Err()
			require.ErrorIs(t, err, tt.wantErr)
			select {
			case <-h.Done():
			default:
				t.Fatal("Err reported an end while Done was open")
			}
			<-child.Done()
			assert.ErrorIs(t, child.Err(), tt.wantErr)
			if tt.baseCause {
				assert.ErrorIs(t, context.Cause(child), errBase)
			}
			h.Cancel()
			h.Expire()
			assert.ErrorIs(t, h.Err(), tt.wantErr, "the first end stays")
		})
	}
}

// TestHandlerContextAfterFunc: AfterFunc runs once the context ends, not after stop, and
// at once for a context that has ended.
func TestHandlerContextAfterFunc(t *testing.T) {
	h := NewHandler(context.Background(), time.Time{}, false)
	ran := make(chan string, 3)
	stopped := h.AfterFunc(func() { ran <- "stopped" })
	h.AfterFunc(func() { ran <- "kept" })
	assert.True(t, stopped(), "stop before the end keeps f from running")
	assert.False(t, stopped(), "a second stop finds nothing")
	h.Cancel()
	assert.Equal(t, "kept", <-ran)
	stopLate := h.AfterFunc(func() { ran <- "late" })
	assert.Equal(t, "late", <-ran)
	assert.False(t, stopLate())
	assert.Empty(t, ran)
}

// TestHandlerContextBaseDeadline: without grpc-timeout, the base's deadline and values show.
func TestHandlerContextBaseDeadline(t *testing.T) {
	at := time.Now().Add(time.Hour)
	base, cancel := context.WithDeadline(context.WithValue(context.Background(), baseKey{}, "v"), at)
	defer cancel()
	h := NewHandler(base, time.Time{}, false)
	d, ok := h.Deadline()
	assert.True(t, ok)
	assert.Equal(t, at, d)
	assert.Equal(t, "v", h.Value(baseKey{}))
}

// TestHandlerContextConcurrentEnds: the call, its deadline and its base may end it at once
// while handler goroutines wait on it (run with -race).
func TestHandlerContextConcurrentEnds(t *testing.T) {
	for range 50 {
		base, stopBase := context.WithCancel(context.Background())
		ctx, expire, cancel := NewHandlerContext(base, time.Time{}, false)
		var wg sync.WaitGroup
		for _, f := range []func(){
			func() { <-ctx.Done(); assert.Error(t, ctx.Err()) },
			func() { child, c := context.WithCancel(ctx); defer c(); <-child.Done() },
			func() { _ = ctx.Err() },
			expire, cancel, stopBase,
		} {
			wg.Go(f)
		}
		wg.Wait()
		assert.Error(t, ctx.Err())
	}
}
