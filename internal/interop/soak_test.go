package interop_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// TestSoak checks rpc_soak and channel_soak's judgement, as grpc-go's DoSoakTest judges.
func TestSoak(t *testing.T) {
	addr := startServer(t, interop.NewTestServer())
	tests := []struct {
		name      string
		change    func(*interop.SoakConfig)
		wantErr   string // "" for success
		wantLines []string
	}{
		{name: "all succeed", change: func(*interop.SoakConfig) {},
			wantLines: []string{"Worker 0: soak iteration: 9 elapsed_ms: ", "soak test successes: 10 / 10 iterations. Total failures: 0."}},
		{name: "failures within the maximum", change: func(c *interop.SoakConfig) { c.ResponseSize, c.MaxFailures = -1, 10 },
			wantLines: []string{"server_uri: " + addr + " failed: /TestService/UnaryCall RPC failed: rpc error: code = UNKNOWN desc = requested a response with invalid length -1"}},
		{name: "failures over the maximum", change: func(c *interop.SoakConfig) { c.ResponseSize, c.MaxFailures = -1, 9 },
			wantErr: "soak test total failures: 10 exceeded max failures threshold: 9"},
		{name: "too slow", change: func(c *interop.SoakConfig) { c.PerIterationMaxAcceptableLatency = time.Nanosecond },
			wantErr: "exceeded max failures threshold: 0", wantLines: []string{"exceeds max acceptable latency: 0"}},
		{name: "overall timeout", change: func(c *interop.SoakConfig) { c.OverallTimeout = time.Nanosecond },
			wantErr: "soak test consumed all 1ns of time and quit early, ran 0 out of 10 iterations", wantLines: []string{"exceeded overall timeout of 1ns"}},
		{name: "several workers", change: func(c *interop.SoakConfig) { c.NumWorkers = 5 },
			wantLines: []string{"Worker 4: soak iteration: 1 ", "successes: 10 / 10"}},
		{name: "iterations not a multiple of workers", change: func(c *interop.SoakConfig) { c.NumWorkers = 3 },
			wantErr: "soak iterations (10) must be a multiple of the soak threads (3)"},
	}
	for _, soak := range []string{"rpc_soak", "channel_soak"} {
		for _, tt := range tests {
			t.Run(soak+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				log := &syncBuffer{}
				env := newEnv(t, addr, log)
				tt.change(&env.Soak)
				err := interop.RunCase(testCtx(t), soak, env)
				if tt.wantErr == "" {
					require.NoError(t, err, log.String())
				} else {
					require.Error(t, err)
					assert.Contains(t, err.Error(), tt.wantErr)
				}
				for _, line := range tt.wantLines {
					assert.Contains(t, log.String(), line)
				}
			})
		}
	}
}

// TestSoakMinTimeBetweenRPCs: a worker starts its iterations no closer than the minimum.
func TestSoakMinTimeBetweenRPCs(t *testing.T) {
	addr := startServer(t, interop.NewTestServer())
	cfg := soakConfig(addr, &syncBuffer{})
	cfg.Iterations, cfg.MinTimeBetweenRPCs = 3, 50*time.Millisecond
	start := time.Now()
	require.NoError(t, interop.DoRPCSoak(testCtx(t), testpb.NewTestServiceClient(newEnv(t, addr, nil).Channel), cfg))
	assert.GreaterOrEqual(t, time.Since(start), 3*cfg.MinTimeBetweenRPCs)
}

// TestChannelSoakUsesNewChannels: every channel_soak iteration dials a channel of its own.
func TestChannelSoakUsesNewChannels(t *testing.T) {
	addr := startServer(t, interop.NewTestServer())
	env := newEnv(t, addr, &syncBuffer{})
	dials := 0
	dial := env.Dial
	env.Dial = func() (*actorrpc.Channel, error) { dials++; return dial() }
	require.NoError(t, interop.RunCase(testCtx(t), "channel_soak", env))
	assert.Equal(t, env.Soak.Iterations, dials)
	assert.Equal(t, 10, strings.Count(env.Soak.Log.(*syncBuffer).String(), "succeeded"))
}
