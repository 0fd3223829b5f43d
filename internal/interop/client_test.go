package interop_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// wrongServer gets every interop case wrong: EmptyCall fails, UnaryCall answers one byte
// whatever was asked and echoes nothing, and the unimplemented methods succeed.
type wrongServer struct {
	testpb.UnimplementedTestServiceServer
}

func (wrongServer) EmptyCall(context.Context, *testpb.Empty) (*testpb.Empty, error) {
	return nil, actorrpc.Errorf(actorrpc.Unavailable, "down")
}

func (wrongServer) UnaryCall(context.Context, *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	return &testpb.SimpleResponse{Payload: interop.ClientNewPayload(1)}, nil
}

func (wrongServer) UnimplementedCall(context.Context, *testpb.Empty) (*testpb.Empty, error) {
	return &testpb.Empty{}, nil
}

// implementedService answers UnimplementedService's method.
type implementedService struct {
	testpb.UnimplementedUnimplementedServiceServer
}

func (implementedService) UnimplementedCall(context.Context, *testpb.Empty) (*testpb.Empty, error) {
	return &testpb.Empty{}, nil
}

// TestCasesCatchAWrongServer: each case fails against wrongServer, saying why.
func TestCasesCatchAWrongServer(t *testing.T) {
	addr := startServerWith(t, func(srv *actorrpc.Server) {
		testpb.RegisterTestServiceServer(srv, wrongServer{})
		testpb.RegisterUnimplementedServiceServer(srv, implementedService{})
	})
	tests := []struct {
		name, want string
	}{
		{"empty_unary", "/TestService/EmptyCall RPC failed: rpc error: code = UNAVAILABLE desc = down"},
		{"large_unary", "got the reply with type COMPRESSABLE len 1; want COMPRESSABLE, 314159"},
		{"status_code_and_message", `UnaryCall with response_status got <nil> (code OK, message ""); want code UNKNOWN, message "test status message"`},
		{"special_status_message", "UnaryCall with response_status got <nil>"},
		{"custom_metadata", `header x-grpc-test-echo-initial: got []; want ["test_initial_metadata_value"]`},
		{"unimplemented_method", "TestService/UnimplementedCall got <nil> (code OK); want code UNIMPLEMENTED"},
		{"unimplemented_service", "UnimplementedService/UnimplementedCall got <nil> (code OK); want code UNIMPLEMENTED"},
		{"rpc_soak", "soak test total failures: 10 exceeded max failures threshold: 0"},
		{"channel_soak", "soak test total failures: 10 exceeded max failures threshold: 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := interop.RunCase(testCtx(t), tt.name, newEnv(t, addr, &syncBuffer{}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
