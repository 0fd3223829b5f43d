package interop

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// Env is what a client test case runs against.
type Env struct {
	// Channel carries the calls of every case but channel_soak.
	Channel *actorrpc.Channel
	// Dial returns a new Channel to the same server, for channel_soak.
	Dial func() (*actorrpc.Channel, error)
	// Soak configures rpc_soak and channel_soak.
	Soak SoakConfig
	// Wire, when Channel dials through it, lets the compression cases see the
	// Compressed-Flag of each message; they fail without it.
	Wire *WireTap
}

// caseFunc runs one test case.
type caseFunc func(ctx context.Context, env Env) error

// testService wraps a case that needs only a TestService client.
func testService(do func(context.Context, testpb.TestServiceClient) error) caseFunc {
	return func(ctx context.Context, env Env) error { return do(ctx, testpb.NewTestServiceClient(env.Channel)) }
}

// compressed wraps a compression case that needs a TestService client and the tap.
func compressed(do func(context.Context, testpb.TestServiceClient, *WireTap) error) caseFunc {
	return func(ctx context.Context, env Env) error {
		return do(ctx, testpb.NewTestServiceClient(env.Channel), env.Wire)
	}
}

// defaultCases are the interop matrix's default client cases (client-vs.sh's default
// set), in its order.
var defaultCases = []string{
	"empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong",
	"empty_stream", "timeout_on_sleeping_server", "cancel_after_begin",
	"cancel_after_first_response", "status_code_and_message", "special_status_message",
	"custom_metadata", "unimplemented_method", "unimplemented_service", "rpc_soak", "channel_soak",
}

// compressionCases are the four cases grpc-go's client lacks, in the description's order.
var compressionCases = []string{
	"client_compressed_unary", "server_compressed_unary",
	"client_compressed_streaming", "server_compressed_streaming",
}

// cases are the client test cases by their interop name.
var cases = map[string]caseFunc{
	"empty_unary":                 testService(DoEmptyUnaryCall),
	"large_unary":                 testService(DoLargeUnaryCall),
	"client_streaming":            testService(DoClientStreaming),
	"server_streaming":            testService(DoServerStreaming),
	"ping_pong":                   testService(DoPingPong),
	"empty_stream":                testService(DoEmptyStream),
	"timeout_on_sleeping_server":  testService(DoTimeoutOnSleepingServer),
	"cancel_after_begin":          testService(DoCancelAfterBegin),
	"cancel_after_first_response": testService(DoCancelAfterFirstResponse),
	"status_code_and_message":     testService(DoStatusCodeAndMessage),
	"special_status_message":      testService(DoSpecialStatusMessage),
	"custom_metadata":             testService(DoCustomMetadata),
	"unimplemented_method": func(ctx context.Context, env Env) error {
		return DoUnimplementedMethod(ctx, env.Channel)
	},
	"unimplemented_service": func(ctx context.Context, env Env) error {
		return DoUnimplementedService(ctx, testpb.NewUnimplementedServiceClient(env.Channel))
	},
	"rpc_soak": func(ctx context.Context, env Env) error {
		return DoRPCSoak(ctx, testpb.NewTestServiceClient(env.Channel), env.Soak)
	},
	"channel_soak": func(ctx context.Context, env Env) error {
		return DoChannelSoak(ctx, env.Dial, env.Soak)
	},
	"client_compressed_unary": compressed(DoClientCompressedUnary),
	"server_compressed_unary": compressed(DoServerCompressedUnary),
	"client_compressed_streaming": func(ctx context.Context, env Env) error {
		return DoClientCompressedStreaming(ctx, env.Channel, env.Wire)
	},
	"server_compressed_streaming": compressed(DoServerCompressedStreaming),
}

// Cases returns the names of every client test case, sorted.
func Cases() []string {
	return slices.Sorted(maps.Keys(cases))
}

// DefaultCases returns the 16 default cases of the interop matrix, in its order.
func DefaultCases() []string { return slices.Clone(defaultCases) }

// CompressionCases returns the four compression cases.
func CompressionCases() []string { return slices.Clone(compressionCases) }

// RunCase runs the client test case name; one it does not know is an error saying so.
func RunCase(ctx context.Context, name string, env Env) error {
	f, ok := cases[name]
	if !ok {
		return fmt.Errorf("test case %q is not supported (supported: %v)", name, Cases())
	}
	return f(ctx, env)
}
