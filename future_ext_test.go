package actorrpc_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

func TestFutureAwaitAndResult(t *testing.T) {
	release := make(chan struct{})
	e := newEnv(t, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		if req.GetGreeting() == "wait" {
			<-release
		}
		return echo(ctx, req)
	}, nil)
	f := e.client.SayHelloAsync(testCtx(t), &hellopb.HelloRequest{Greeting: "wait"})
	_, err := f.Result()
	assert.ErrorIs(t, err, actorrpc.ErrNotDone, "Result before the call ends")

	short, cancel := context.WithCancel(testCtx(t))
	cancel()
	_, err = f.Await(short)
	assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err), "Await gives up with its own ctx")

	close(release)
	<-f.Done()
	resp, err := f.Result()
	require.NoError(t, err)
	assert.Equal(t, "Hello, wait!", resp.GetReply())
	resp, err = f.Await(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, "Hello, wait!", resp.GetReply())
}

func TestFutureManyAwaiters(t *testing.T) {
	e := newEnv(t, echo, nil)
	f := e.client.SayHelloAsync(testCtx(t), &hellopb.HelloRequest{Greeting: "all"})
	var wg sync.WaitGroup
	got := make(chan string, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := f.Await(testCtx(t))
			if err != nil {
				got <- err.Error()
				return
			}
			got <- resp.GetReply()
		}()
	}
	wg.Wait()
	close(got)
	for msg := range got {
		assert.Equal(t, "Hello, all!", msg)
	}
}

func TestFutureFanOutAndSelect(t *testing.T) {
	e := newEnv(t, echo, nil)
	futures := make([]*actorrpc.Future[*hellopb.HelloResponse], 100)
	for i := range futures {
		futures[i] = e.client.SayHelloAsync(testCtx(t), &hellopb.HelloRequest{Greeting: fmt.Sprint(i)})
	}
	for i, f := range futures {
		select {
		case <-f.Done():
		case <-testCtx(t).Done():
			t.Fatal("future never completed")
		}
		resp, err := f.Result()
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("Hello, %d!", i), resp.GetReply())
	}
}

func TestFuturePipeTo(t *testing.T) {
	e := newEnv(t, echo, nil)
	system := e.ch.ActorSystem()
	pid, results := spawnCollector[*actorrpc.FutureResult[*hellopb.HelloResponse]](t, system)
	f := e.client.SayHelloAsync(testCtx(t), &hellopb.HelloRequest{Greeting: "piped"})
	f.PipeTo(pid)
	r := <-results
	require.NoError(t, r.Err)
	assert.Equal(t, "Hello, piped!", r.Value.GetReply())

	// Piping a future that has already ended delivers at once.
	f.PipeTo(pid)
	r = <-results
	assert.Equal(t, "Hello, piped!", r.Value.GetReply())

	// A failed call pipes its error.
	failed := e.client.SayHelloAsync(testCtx(t), &hellopb.HelloRequest{Greeting: "x"}, actorrpc.MaxCallSendMsgSize(1))
	failed.PipeTo(pid)
	r = <-results
	assert.Equal(t, actorrpc.ResourceExhausted, actorrpc.CodeOf(r.Err))
	assert.Nil(t, r.Value)
}

// TestDroppedFuturesLeakNothing starts calls and never looks at their futures; the
// package's goroutine leak check after the tests proves nothing stays behind.
func TestDroppedFuturesLeakNothing(t *testing.T) {
	e := newEnv(t, echo, nil)
	for i := range 100 {
		e.client.SayHelloAsync(testCtx(t), &hellopb.HelloRequest{Greeting: fmt.Sprint(i)})
	}
	// A last blocking call on the same connection is answered after the dropped ones
	// were sent; Close in the cleanup then ends whatever is still in flight.
	_, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "last"})
	require.NoError(t, err)
}
