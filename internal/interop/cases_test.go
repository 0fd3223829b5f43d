package interop_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc/internal/interop"
)

// TestCasesOverLoopback runs every supported client case against our own TestService.
func TestCasesOverLoopback(t *testing.T) {
	addr := startServer(t, interop.NewTestServer())
	require.Equal(t, []string{
		"channel_soak", "custom_metadata", "empty_unary", "large_unary", "rpc_soak",
		"special_status_message", "status_code_and_message", "unimplemented_method", "unimplemented_service",
	}, interop.Cases())
	for _, name := range interop.Cases() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, interop.RunCase(testCtx(t), name, newEnv(t, addr, &syncBuffer{})))
		})
	}
}

// TestRunCaseUnsupported: streaming and unknown cases fail with a reason, without a call.
func TestRunCaseUnsupported(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"ping_pong", "test case ping_pong is not supported yet (streaming)"},
		{"client_streaming", "test case client_streaming is not supported yet (streaming)"},
		{"timeout_on_sleeping_server", "test case timeout_on_sleeping_server is not supported yet (streaming)"},
		{"cancel_after_first_response", "test case cancel_after_first_response is not supported yet (streaming)"},
		{"compute_engine_creds", "test case compute_engine_creds is not supported (supported: ["},
		{"", "test case  is not supported (supported: ["},
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
