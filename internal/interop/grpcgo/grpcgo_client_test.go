package grpcgo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpcinterop "google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/actorrpc/actorrpc/internal/interop"
)

// TestGrpcGoClientAgainstOurServer runs grpc-go's own interop client cases, the 16
// default ones, against actorrpc's TestService. They fail by calling grpclog's Fatal,
// which ends the test binary with the reason on stderr.
func TestGrpcGoClientAgainstOurServer(t *testing.T) {
	addr := startOurServer(t, interop.NewTestServer())
	tests := []struct {
		name string
		run  func(ctx context.Context, cc *grpc.ClientConn)
	}{
		{"empty_unary", withTestService(grpcinterop.DoEmptyUnaryCall)},
		{"large_unary", withTestService(grpcinterop.DoLargeUnaryCall)},
		{"client_streaming", withTestService(grpcinterop.DoClientStreaming)},
		{"server_streaming", withTestService(grpcinterop.DoServerStreaming)},
		{"ping_pong", withTestService(grpcinterop.DoPingPong)},
		{"empty_stream", withTestService(grpcinterop.DoEmptyStream)},
		{"timeout_on_sleeping_server", withTestService(grpcinterop.DoTimeoutOnSleepingServer)},
		{"cancel_after_begin", withTestService(grpcinterop.DoCancelAfterBegin)},
		{"cancel_after_first_response", withTestService(grpcinterop.DoCancelAfterFirstResponse)},
		{"status_code_and_message", withTestService(grpcinterop.DoStatusCodeAndMessage)},
		{"special_status_message", withTestService(grpcinterop.DoSpecialStatusMessage)},
		{"custom_metadata", withTestService(grpcinterop.DoCustomMetadata)},
		{"unimplemented_method", func(ctx context.Context, cc *grpc.ClientConn) {
			grpcinterop.DoUnimplementedMethod(ctx, cc)
		}},
		{"unimplemented_service", func(ctx context.Context, cc *grpc.ClientConn) {
			grpcinterop.DoUnimplementedService(ctx, testgrpc.NewUnimplementedServiceClient(cc))
		}},
		{"rpc_soak", func(ctx context.Context, cc *grpc.ClientConn) {
			cfg := soakConfig(addr)
			cfg.ChannelForTest = func() (*grpc.ClientConn, func()) { return cc, func() {} }
			grpcinterop.DoSoakTest(ctx, cfg)
		}},
		{"channel_soak", func(ctx context.Context, _ *grpc.ClientConn) {
			cfg := soakConfig(addr)
			cfg.ChannelForTest = func() (*grpc.ClientConn, func()) {
				cc, err := newGrpcGoConn(addr)
				require.NoError(t, err)
				return cc, func() { require.NoError(t, cc.Close()) }
			}
			grpcinterop.DoSoakTest(ctx, cfg)
		}},
	}
	require.Len(t, tests, len(interop.DefaultCases()))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(testCtx(t), dialGrpcGo(t, addr))
		})
	}
}

// withTestService adapts a grpc-go interop case that takes a TestService client.
func withTestService(do func(context.Context, testgrpc.TestServiceClient, ...grpc.CallOption)) func(context.Context, *grpc.ClientConn) {
	return func(ctx context.Context, cc *grpc.ClientConn) { do(ctx, testgrpc.NewTestServiceClient(cc)) }
}

// TestGrpcGoClientStatusAgainstOurServer is the unary half of status_code_and_message with
// more codes: grpc-go's client reads the status actorrpc's TestService was asked for, with
// grpc-go's own error text.
func TestGrpcGoClientStatusAgainstOurServer(t *testing.T) {
	tc := testgrpc.NewTestServiceClient(dialGrpcGo(t, startOurServer(t, interop.NewTestServer())))
	tests := []struct {
		code codes.Code
		msg  string
	}{
		{codes.Unknown, "test status message"},
		{codes.InvalidArgument, "bad: 100% \"quoted\""},
		{codes.NotFound, ""},
		{codes.ResourceExhausted, "non-ASCII: ☺ 😈"},
		{codes.Unauthenticated, "\t\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.code.String(), func(t *testing.T) {
			t.Parallel()
			req := &testgrpc.SimpleRequest{ResponseStatus: &testgrpc.EchoStatus{Code: int32(tt.code), Message: tt.msg}}
			_, err := tc.UnaryCall(testCtx(t), req)
			assert.Equal(t, status.Error(tt.code, tt.msg).Error(), fmt.Sprint(err))
		})
	}
}

// soakConfig is grpc-go's interop client's soak configuration with its default flags.
func soakConfig(addr string) grpcinterop.SoakTestConfig {
	return grpcinterop.SoakTestConfig{
		RequestSize:                      271828,
		ResponseSize:                     314159,
		PerIterationMaxAcceptableLatency: time.Second,
		OverallTimeout:                   10 * time.Second,
		ServerAddr:                       addr,
		NumWorkers:                       1,
		Iterations:                       10,
	}
}
