// Package interop holds actorrpc's side of gRPC's interop tests
// (https://github.com/grpc/grpc/blob/master/doc/interop-test-descriptions.md): the
// TestService a server under test serves (NewTestServer) and the client test cases
// (DoEmptyUnaryCall and the others, DoRPCSoak, DoChannelSoak, RunCase), written after
// grpc-go's interop/test_utils.go and interop/soak_tests.go but returning errors instead
// of exiting. Only the unary cases and the unary parts of mixed cases exist until the
// runtime supports streaming.
//
// cmd/interop-server and cmd/interop-client wrap them in the command lines gRPC's interop
// matrix runs; check.sh runs both against grpc-go's interop programs.
package interop
