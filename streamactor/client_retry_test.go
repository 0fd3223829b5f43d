package streamactor

import (
	"context"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"

	"github.com/actorrpc/actorrpc/internal/attempttest"
	"github.com/actorrpc/actorrpc/wire"
)

// A stream whose connection was lost while its open was in flight retries on
// ConnectionLost; the lost connection's later answer to that open is the earlier
// attempt's and must not open the stream a second time (the simulations' "served twice").
func TestClientIgnoresAnEarlierAttemptsAnswer(t *testing.T) {
	for _, tt := range attempttest.StaleAnswers {
		t.Run(tt.Name, func(t *testing.T) {
			w := attempttest.New()
			defer w.Stop()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			outcome := NewOutcome()
			call := w.Spawn(t, actor.PropsFromProducer(func() actor.Actor {
				return NewClient(ClientParams{Conn: w.Conn1, Ctx: ctx, Outcome: outcome})
			}))
			w.LoseConn1(t, call)

			w.System.Root.Send(call, tt.Msg(w))
			cancel() // the call ends after it handled the stale answer
			select {
			case <-outcome.Done:
				assert.Equal(t, wire.Canceled, wire.CodeOf(outcome.Err))
			case <-time.After(10 * time.Second):
				t.Fatal("the stream never ended")
			}
			w.RequireOneRetry(t)
		})
	}
}
