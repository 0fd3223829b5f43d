package callactor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/attempttest"
	"github.com/actorrpc/actorrpc/wire"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// recordedResult is a ClientResult that passes the outcome on.
type recordedResult struct{ done chan error }

func (r *recordedResult) Decode([]byte) error                { return nil }
func (r *recordedResult) Done(_, _ wire.Metadata, err error) { r.done <- err }

// A call whose connection was lost while its open was in flight retries on ConnectionLost,
// from its channel. The lost connection may answer that open later (it answers the opens
// left in its mailbox as it stops): the answer is the earlier attempt's, and must not start
// a second retry, which would open the call twice. (Found by the simulations: "served
// twice".)
func TestUnaryClientIgnoresAnEarlierAttemptsAnswer(t *testing.T) {
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
			res := &recordedResult{done: make(chan error, 1)}
			call := w.Spawn(t, actor.PropsFromProducer(func() actor.Actor {
				return NewUnaryClient(ClientParams{Conn: w.Conn1, Ctx: ctx, Result: res, Request: []byte{0, 0, 0, 0, 0}})
			}))
			w.WaitOpen(t, w.Conn1)
			w.System.Root.Send(call, &actors.ConnectionLost{Conn: w.Conn1, Err: errors.New("connection lost")})
			w.WaitOpen(t, w.Conn2)

			w.System.Root.Send(call, tt.stale(w))
			cancel() // the call ends after it handled the stale answer
			select {
			case err := <-res.done:
				assert.Equal(t, wire.Canceled, wire.CodeOf(err))
			case <-time.After(10 * time.Second):
				t.Fatal("the call never ended")
			}
			w.Settle(t)
			assert.Equal(t, 1, w.Retries(), "retries: the earlier attempt's answer started another")
			assert.Zero(t, w.UnwaitedOpens(), "the call was opened again")
		})
	}
}
