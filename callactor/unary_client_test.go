package callactor

import (
	"context"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

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
	for _, tt := range attempttest.StaleAnswers {
		t.Run(tt.Name, func(t *testing.T) {
			w := attempttest.New()
			defer w.Stop()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			res := &recordedResult{done: make(chan error, 1)}
			call := w.Spawn(t, actor.PropsFromProducer(func() actor.Actor {
				return NewUnaryClient(ClientParams{Conn: w.Conn1, Ctx: ctx, Result: res, Request: []byte{0, 0, 0, 0, 0}})
			}))
			w.LoseConn1(t, call)

			w.System.Root.Send(call, tt.Msg(w))
			cancel() // the call ends after it handled the stale answer
			select {
			case err := <-res.done:
				assert.Equal(t, wire.Canceled, wire.CodeOf(err))
			case <-time.After(10 * time.Second):
				t.Fatal("the call never ended")
			}
			w.RequireOneRetry(t)
		})
	}
}
