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
	defaults := interop.SoakConfig{
		RequestSize: 271828, ResponseSize: 314159, NumWorkers: 1, Iterations: 10,
		PerIterationMaxAcceptableLatency: time.Second, OverallTimeout: 10 * time.Second,
	}
	tests := []struct {
		name    string
		args    []string
		check   func(t *testing.T, c config)
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, c config) {
			assert.Equal(t, "localhost", c.serverHost)
			assert.Equal(t, 10000, c.serverPort)
			assert.Equal(t, "large_unary", c.testCase)
			assert.Equal(t, defaults, c.soak)
		}},
		{name: "soak flags", args: []string{
			"--soak_iterations=20", "--soak_max_failures=2", "--soak_per_iteration_max_acceptable_latency_ms=50",
			"--soak_overall_timeout_seconds=3", "--soak_min_time_ms_between_rpcs=7", "--soak_request_size=1",
			"--soak_response_size=2", "--soak_num_threads=4",
		}, check: func(t *testing.T, c config) {
			assert.Equal(t, interop.SoakConfig{
				RequestSize: 1, ResponseSize: 2, NumWorkers: 4, Iterations: 20, MaxFailures: 2,
				PerIterationMaxAcceptableLatency: 50 * time.Millisecond, OverallTimeout: 3 * time.Second,
				MinTimeBetweenRPCs: 7 * time.Millisecond,
			}, c.soak)
		}},
		{name: "server", args: []string{"--server_host=127.0.0.1", "--server_port=1234", "--server_host_override=foo.test", "--test_case=empty_unary"},
			check: func(t *testing.T, c config) {
				assert.Equal(t, config{serverHost: "127.0.0.1", serverPort: 1234, hostOverride: "foo.test", testCase: "empty_unary",
					soakMaxLatencyMs: 1000, soakTimeoutS: 10, soak: defaults}, c)
			}},
		{name: "test CA without TLS", args: []string{"--use_tls=false", "--use_test_ca=true"}, check: func(t *testing.T, c config) {
			assert.True(t, c.useTestCA)
			assert.False(t, c.useTLS)
		}},
		{name: "tls", args: []string{"--use_tls=true"}, wantErr: "--use_tls=true is not supported"},
		{name: "unknown flag", args: []string{"--use_alts"}, wantErr: "flag provided but not defined: -use_alts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("interop-client", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			got, err := parseFlags(fs, tt.args)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, got)
		})
	}
}

// TestRun runs cases against an actorrpc TestService: a unary, a streaming, a soak and a
// compression case pass; an unknown one fails with the reason.
func TestRun(t *testing.T) {
	addr := startServer(t)
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	tests := []struct {
		testCase, wantErr string
	}{
		{testCase: "empty_unary"},
		{testCase: "channel_soak"},
		{testCase: "ping_pong"},
		{testCase: "server_compressed_streaming"},
		{testCase: "client_compressed_streaming"},
		{testCase: "nope", wantErr: `test case "nope" is not supported (supported: [`},
	}
	for _, tt := range tests {
		t.Run(tt.testCase, func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("interop-client", flag.ContinueOnError)
			c, err := parseFlags(fs, []string{"--server_host=" + host, "--server_port=" + port, "--test_case=" + tt.testCase,
				"--soak_request_size=10", "--soak_response_size=10", "--server_host_override=interop.test"})
			require.NoError(t, err)
			c.soak.Log = io.Discard
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err = run(ctx, c, actorrpc.WithActorSystem(actors.NewSystem()))
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}

// startServer serves the interop TestService until the test ends.
func startServer(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()))
	testpb.RegisterTestServiceServer(srv, interop.NewTestServer())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		<-served
	})
	return lis.Addr().String()
}
