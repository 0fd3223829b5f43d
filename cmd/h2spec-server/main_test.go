package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRunServesUntilCtxEnds(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, lis, 0) }()

	ch, err := actorrpc.Dial(lis.Addr().String())
	require.NoError(t, err)
	callCtx, callCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer callCancel()
	resp, err := hellopb.NewHelloServiceClient(ch).SayHello(callCtx, &hellopb.HelloRequest{Greeting: "h2spec"})
	require.NoError(t, err)
	assert.Equal(t, "Hello, h2spec!", resp.GetReply())
	require.NoError(t, ch.Close())

	cancel()
	assert.NoError(t, <-done, "run after its ctx ended")
}
