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

// wrongServer gets the interop cases wrong: EmptyCall fails, UnaryCall answers one byte
// whatever was asked and echoes nothing, the streaming methods answer one byte per request
// (and 1 as the aggregated size), and the unimplemented methods succeed.
type wrongServer struct {
	testpb.UnimplementedTestServiceServer
}

func (wrongServer) EmptyCall(context.Context, *testpb.Empty) (*testpb.Empty, error) {
	return nil, actorrpc.Errorf(actorrpc.Unavailable, "down")
}

func (wrongServer) UnaryCall(context.Context, *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	return &testpb.SimpleResponse{Payload: interop.ClientNewPayload(1)}, nil
}

func (wrongServer) StreamingOutputCall(_ *testpb.StreamingOutputCallRequest, stream testpb.TestService_StreamingOutputCallServer) error {
	return stream.Send(&testpb.StreamingOutputCallResponse{Payload: interop.ClientNewPayload(1)})
}

func (wrongServer) StreamingInputCall(stream testpb.TestService_StreamingInputCallServer) error {
	for {
		if _, err := stream.Recv(); err != nil {
			return stream.SendAndClose(&testpb.StreamingInputCallResponse{AggregatedPayloadSize: 1})
		}
	}
}

func (wrongServer) FullDuplexCall(stream testpb.TestService_FullDuplexCallServer) error {
	for {
		if _, err := stream.Recv(); err != nil {
			return nil
		}
		if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: interop.ClientNewPayload(1)}); err != nil {
			return err
		}
	}
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

// TestCasesCatchAWrongServer: each case fails against wrongServer, saying why. Left out
// are the cases a server cannot fail by answering: empty_stream, and those where the
// client ends the call first (timeout_on_sleeping_server, cancel_after_begin,
// cancel_after_first_response).
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
		{"client_streaming", "StreamingInputCall aggregated_payload_size: got 1; want 74922"},
		{"server_streaming", "StreamingOutputCall response 0: got the reply with type COMPRESSABLE len 1; want COMPRESSABLE, 31415"},
		{"ping_pong", "FullDuplexCall reply 0: got the reply with type COMPRESSABLE len 1; want COMPRESSABLE, 31415"},
		{"client_compressed_unary", "UnaryCall feature probe (expect_compressed true, sent uncompressed): got <nil> (code OK); want code INVALID_ARGUMENT"},
		{"server_compressed_unary", "UnaryCall with response_compressed true: got the reply with type COMPRESSABLE len 1; want COMPRESSABLE, 314159"},
		{"client_compressed_streaming", "StreamingInputCall feature probe (expect_compressed true, sent uncompressed): got <nil> (code OK); want code INVALID_ARGUMENT"},
		{"server_compressed_streaming", "StreamingOutputCall response 0: got the reply with type COMPRESSABLE len 1; want COMPRESSABLE, 31415"},
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

// wrongDuplex is the interop TestService but for FullDuplexCall, which answers one byte
// per request, echoes no metadata and ignores response_status.
type wrongDuplex struct {
	testpb.TestServiceServer
}

func (wrongDuplex) FullDuplexCall(stream testpb.TestService_FullDuplexCallServer) error {
	return wrongServer{}.FullDuplexCall(stream)
}

// TestCasesCatchAWrongFullDuplexCall: status_code_and_message and custom_metadata check
// their FullDuplexCall halves too.
func TestCasesCatchAWrongFullDuplexCall(t *testing.T) {
	addr := startServer(t, wrongDuplex{interop.NewTestServer()})
	tests := []struct {
		name, want string
	}{
		{"status_code_and_message", `FullDuplexCall with response_status got <nil> (code OK, message ""); want code UNKNOWN, message "test status message"`},
		{"custom_metadata", `FullDuplexCall header x-grpc-test-echo-initial: got []; want ["test_initial_metadata_value"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := interop.RunCase(testCtx(t), tt.name, newEnv(t, addr, &syncBuffer{}))
			require.EqualError(t, err, tt.want)
		})
	}
}
