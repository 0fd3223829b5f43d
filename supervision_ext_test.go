package actorrpc_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/supervisor"
)

func TestPanickingHandlerEndsOnlyItsCall(t *testing.T) {
	serverSystem := actors.NewSystem()
	failures := make(chan *supervisor.Failure, 10)
	var logged syncBuffer
	sub := serverSystem.EventStream.Subscribe(func(ev any) {
		if f, ok := ev.(*supervisor.Failure); ok {
			failures <- f
		}
	})
	defer serverSystem.EventStream.Unsubscribe(sub)
	e := newEnv(t, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		if req.GetGreeting() == "panic" {
			panic("handler exploded")
		}
		return echo(ctx, req)
	}, []actorrpc.ServerOption{actorrpc.WithActorSystem(serverSystem), actorrpc.WithLogger(slog.New(slog.NewTextHandler(&logged, nil)))})

	var wg sync.WaitGroup
	results := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "ok"
			if i%5 == 0 {
				name = "panic"
			}
			_, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: name})
			if name == "panic" {
				st := actorrpc.StatusOf(err)
				if st.Code() != actorrpc.Internal || !strings.Contains(st.Message(), "handler exploded") {
					results <- actorrpc.Errorf(actorrpc.Unknown, "panicking call: got %v; want INTERNAL naming the panic", err)
				}
				return
			}
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	for err := range results {
		require.NoError(t, err)
	}
	assert.Equal(t, actorrpc.Ready, e.ch.State(), "the connection survives panics")
	_, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "after"})
	require.NoError(t, err)

	f := <-failures
	assert.Equal(t, "handler exploded", f.Reason.Value)
	assert.Contains(t, string(f.Reason.Stack), "supervision_ext_test.go", "the event carries the handler's stack")
	assert.Contains(t, logged.String(), "handler exploded", "the failure is logged")
}

// syncBuffer is a bytes.Buffer safe for a logger writing from actors.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
