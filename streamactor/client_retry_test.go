package streamactor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/attempttest"
	"github.com/actorrpc/actorrpc/wire"
)

// A stream whose connection was lost while its open was in flight retries on
// ConnectionLost; the lost connection's later answer to that open is the earlier
// attempt's and must not open the stream a second time (the simulations' "served twice").
func TestClientIgnoresAnEarlierAttemptsAnswer(t *testing.T) {
	tests := []struct {
		name  string
		stale func(w *attempttest.World) any
	}{
		{"the lost connection's reset of the open", func(w *attempttest.World) any {
			return &actors.StreamReset{Unprocessed: true, Conn: w.Conn1,
				Status: wire.NewStatus(wire.Unavailable, "connection closed before the stream was opened")}
		}},
		{"a dead letter of the open sent to the lost connection", func(w *attempttest.World) any {
			return &actor.DeadLetterResponse{Target: w.Conn1}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := attempttest.New()
			defer w.Stop()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			outcome := NewOutcome()
			call := w.Spawn(t, actor.PropsFromProducer(func() actor.Actor {
				return NewClient(ClientParams{Conn: w.Conn1, Ctx: ctx, Outcome: outcome})
			}))
			w.WaitOpen(t, w.Conn1)
			w.System.Root.Send(call, &actors.ConnectionLost{Conn: w.Conn1, Err: errors.New("connection lost")})
			w.WaitOpen(t, w.Conn2)

			w.System.Root.Send(call, tt.stale(w))
			cancel() // the call ends after it handled the stale answer
			select {
			case <-outcome.Done:
				assert.Equal(t, wire.Canceled, wire.CodeOf(outcome.Err))
			case <-time.After(10 * time.Second):
				t.Fatal("the stream never ended")
			}
			w.Settle(t)
			assert.Equal(t, 1, w.Retries(), "retries: the earlier attempt's answer started another")
			assert.Zero(t, w.UnwaitedOpens(), "the stream was opened again")
		})
	}
}
