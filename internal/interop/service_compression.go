package interop

import (
	"context"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// gzipName is the one compressor the interop compression cases use.
const gzipName = "gzip"

// checkCompressed enforces the CompressedRequest feature of gRPC's interop test
// description: "When the client sets expect_compressed to true, the server expects the
// client request to be compressed. If it's not, it fails the RPC with INVALID_ARGUMENT."
// As gRPC's C++ server does, expect_compressed=false fails a compressed request too. An
// absent expect_compressed expects nothing.
func checkCompressed(ctx context.Context, expect *testpb.BoolValue) error {
	if expect == nil {
		return nil
	}
	got := actorrpc.ReceivedCompressed(ctx)
	switch {
	case expect.GetValue() && !got:
		return actorrpc.Errorf(actorrpc.InvalidArgument, "expected a compressed request, got an uncompressed one")
	case !expect.GetValue() && got:
		return actorrpc.Errorf(actorrpc.InvalidArgument, "expected an uncompressed request, got a compressed one")
	}
	return nil
}

// setResponseCompressed enforces the CompressedResponse feature: "When the client sets
// response_compressed to true, the server's response is sent back compressed" (gzip);
// false sends it uncompressed, absent leaves the server's default. A client that does not
// accept gzip cannot have a compressed response: that fails the call INVALID_ARGUMENT
// rather than answering uncompressed.
func setResponseCompressed(ctx context.Context, compressed *testpb.BoolValue) error {
	if compressed == nil {
		return nil
	}
	name := "identity"
	if compressed.GetValue() {
		name = gzipName
	}
	if err := actorrpc.SetSendCompressor(ctx, name); err != nil {
		return actorrpc.Errorf(actorrpc.InvalidArgument, "cannot send the response with grpc-encoding %s: %v", name, err)
	}
	return nil
}

// announceCompression prepares a stream whose responses follow params. Once headers are
// out, a stream's messages can only switch between the grpc-encoding the headers
// announced and none; before, SetSendCompressor("identity") changes what they will
// announce. So when any response is to be compressed, the headers go out now announcing
// gzip, and each response then picks gzip or none.
func announceCompression(ctx context.Context, params []*testpb.ResponseParameters) error {
	for _, p := range params {
		if p.GetCompressed().GetValue() {
			if err := setResponseCompressed(ctx, p.GetCompressed()); err != nil {
				return err
			}
			// It fails only if the headers are out already, and then
			// SetSendCompressor has checked that they announced gzip.
			_ = actorrpc.SendHeader(ctx, nil)
			return nil
		}
	}
	return nil
}
