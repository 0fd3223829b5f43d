package main

import (
	"context"
	"flag"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/interop"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    config
		wantErr string
	}{
		{name: "port", args: []string{"--port", "8080"}, want: config{host: "127.0.0.1", port: 8080}},
		{name: "host", args: []string{"--port=1", "--host=::1"}, want: config{host: "::1", port: 1}},
		{name: "tls off", args: []string{"--port=1", "--use_tls=false"}, want: config{host: "127.0.0.1", port: 1}},
		{name: "no port", args: nil, wantErr: "--port is required"},
		{name: "tls", args: []string{"--port=1", "--use_tls"}, wantErr: "--use_tls=true is not supported"},
		{name: "unknown flag", args: []string{"--port=1", "--nope"}, wantErr: "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("interop-server", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			got, err := parseFlags(fs, tt.args)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestRun serves TestService until the context ends, then returns cleanly.
func TestRun(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- run(ctx, lis, actorrpc.WithActorSystem(actors.NewSystem())) }()

	ch, err := actorrpc.Dial(lis.Addr().String(), actorrpc.WithActorSystem(actors.NewSystem()))
	require.NoError(t, err)
	defer ch.Close()
	callCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, interop.DoLargeUnaryCall(callCtx, testpb.NewTestServiceClient(ch)))
	require.NoError(t, interop.DoUnimplementedService(callCtx, testpb.NewUnimplementedServiceClient(ch)))

	stop()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-callCtx.Done():
		t.Fatal("run did not return after its context ended")
	}
}
