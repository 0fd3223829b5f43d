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
}

// caseFunc runs one test case.
type caseFunc func(ctx context.Context, env Env) error

// cases are the client test cases the runtime supports, by their interop name.
var cases = map[string]caseFunc{
	"empty_unary": func(ctx context.Context, env Env) error {
		return DoEmptyUnaryCall(ctx, testpb.NewTestServiceClient(env.Channel))
	},
	"large_unary": func(ctx context.Context, env Env) error {
		return DoLargeUnaryCall(ctx, testpb.NewTestServiceClient(env.Channel))
	},
	"status_code_and_message": func(ctx context.Context, env Env) error {
		return DoStatusCodeAndMessage(ctx, testpb.NewTestServiceClient(env.Channel))
	},
	"special_status_message": func(ctx context.Context, env Env) error {
		return DoSpecialStatusMessage(ctx, testpb.NewTestServiceClient(env.Channel))
	},
	"custom_metadata": func(ctx context.Context, env Env) error {
		return DoCustomMetadata(ctx, testpb.NewTestServiceClient(env.Channel))
	},
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
}

// streamingCases need streaming calls, which the runtime does not support yet.
var streamingCases = []string{
	"client_streaming", "server_streaming", "ping_pong", "empty_stream",
	"timeout_on_sleeping_server", "cancel_after_begin", "cancel_after_first_response",
}

// Cases returns the names of the supported client test cases, sorted.
func Cases() []string {
	return slices.Sorted(maps.Keys(cases))
}

// RunCase runs the client test case name. A streaming case, or one it does not know, is
// an error saying so.
func RunCase(ctx context.Context, name string, env Env) error {
	if f, ok := cases[name]; ok {
		return f(ctx, env)
	}
	if slices.Contains(streamingCases, name) {
		return fmt.Errorf("test case %s is not supported yet (streaming)", name)
	}
	return fmt.Errorf("test case %s is not supported (supported: %v)", name, Cases())
}
