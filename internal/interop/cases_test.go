package interop_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc/internal/interop"
)

// TestCaseLists: the 16 default cases and the four compression cases are all the cases.
func TestCaseLists(t *testing.T) {
	assert.Equal(t, []string{
		"empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong",
		"empty_stream", "timeout_on_sleeping_server", "cancel_after_begin",
		"cancel_after_first_response", "status_code_and_message", "special_status_message",
		"custom_metadata", "unimplemented_method", "unimplemented_service", "rpc_soak", "channel_soak",
	}, interop.DefaultCases())
	assert.Equal(t, []string{
		"client_compressed_unary", "server_compressed_unary",
		"client_compressed_streaming", "server_compressed_streaming",
	}, interop.CompressionCases())
	assert.ElementsMatch(t, append(interop.DefaultCases(), interop.CompressionCases()...), interop.Cases())
}

// TestCasesOverLoopback runs all 20 client cases against our own TestService.
func TestCasesOverLoopback(t *testing.T) {
	addr := startServer(t, interop.NewTestServer())
	for _, name := range interop.Cases() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, interop.RunCase(testCtx(t), name, newEnv(t, addr, &syncBuffer{})))
		})
	}
}

// TestRunCaseErrors: an unknown case, or a compression case without a WireTap, fails
// with a reason and without a call.
func TestRunCaseErrors(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"compute_engine_creds", `test case "compute_engine_creds" is not supported (supported: [`},
		{"", `test case "" is not supported (supported: [`},
		{"client_compressed_unary", "dial the Channel with a WireTap"},
		{"server_compressed_unary", "dial the Channel with a WireTap"},
		{"client_compressed_streaming", "dial the Channel with a WireTap"},
		{"server_compressed_streaming", "dial the Channel with a WireTap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := interop.RunCase(t.Context(), tt.name, interop.Env{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
