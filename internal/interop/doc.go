// Package interop holds actorrpc's side of gRPC's interop tests
// (https://github.com/grpc/grpc/blob/master/doc/interop-test-descriptions.md): the
// TestService a server under test serves (NewTestServer), and the client test cases
// (DoEmptyUnaryCall and the others, DoRPCSoak, DoChannelSoak, RunCase), written after
// grpc-go's interop/test_utils.go and interop/soak_tests.go but returning errors instead
// of exiting.
//
// Besides the 16 default cases it has the four compression cases grpc-go's client lacks
// (client_compressed_unary, server_compressed_unary, client_compressed_streaming,
// server_compressed_streaming), and its TestService honours expect_compressed and
// response_compressed, which grpc-go's ignores. The compression cases check each message's
// Compressed-Flag on the wire with a WireTap.
//
// cmd/interop-server and cmd/interop-client wrap them in the command lines gRPC's interop
// matrix runs; check.sh runs both against grpc-go's interop programs, and the client
// against the server for all 20 cases.
package interop
