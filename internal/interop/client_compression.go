package interop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// The four compression cases, as gRPC's interop test description defines them. Each
// checks with a WireTap that the messages really travelled with the Compressed-Flag the
// case asks for, and so needs a Channel that dials through one.

// DoClientCompressedUnary is client_compressed_unary: a feature probe (expect_compressed
// true, sent uncompressed) must fail INVALID_ARGUMENT; then a compressed request with
// expect_compressed true and an uncompressed one with false both succeed with a
// 314159-byte response.
func DoClientCompressedUnary(ctx context.Context, tc testpb.TestServiceClient, tap *WireTap) error {
	if tap == nil {
		return errNoTap
	}
	req := func(expect bool) *testpb.SimpleRequest {
		return &testpb.SimpleRequest{
			ExpectCompressed: &testpb.BoolValue{Value: expect},
			ResponseType:     testpb.PayloadType_COMPRESSABLE,
			ResponseSize:     largeRespSize,
			Payload:          ClientNewPayload(largeReqSize),
		}
	}
	_, err := tc.UnaryCall(ctx, req(true), actorrpc.UseCompressor("identity"))
	if c := actorrpc.CodeOf(err); c != actorrpc.InvalidArgument {
		return fmt.Errorf("UnaryCall feature probe (expect_compressed true, sent uncompressed): got %v (code %v); want code %v", err, c, actorrpc.InvalidArgument)
	}
	for _, compressed := range []bool{true, false} {
		mark := tap.Mark()
		reply, err := tc.UnaryCall(ctx, req(compressed), actorrpc.UseCompressor(encoding(compressed)))
		if err != nil {
			return fmt.Errorf("UnaryCall with expect_compressed %v: %w", compressed, err)
		}
		if err := checkPayload(reply.GetPayload(), largeRespSize); err != nil {
			return fmt.Errorf("UnaryCall with expect_compressed %v: %w", compressed, err)
		}
		if err := checkFlags("UnaryCall request", tap.Since(mark), true, compressed); err != nil {
			return err
		}
	}
	return nil
}

// DoServerCompressedUnary is server_compressed_unary: a UnaryCall with
// response_compressed true gets a compressed 314159-byte response, one with false an
// uncompressed one.
func DoServerCompressedUnary(ctx context.Context, tc testpb.TestServiceClient, tap *WireTap) error {
	if tap == nil {
		return errNoTap
	}
	for _, compressed := range []bool{true, false} {
		req := &testpb.SimpleRequest{
			ResponseCompressed: &testpb.BoolValue{Value: compressed},
			ResponseType:       testpb.PayloadType_COMPRESSABLE,
			ResponseSize:       largeRespSize,
			Payload:            ClientNewPayload(largeReqSize),
		}
		mark := tap.Mark()
		reply, err := tc.UnaryCall(ctx, req)
		if err != nil {
			return fmt.Errorf("UnaryCall with response_compressed %v: %w", compressed, err)
		}
		if err := checkPayload(reply.GetPayload(), largeRespSize); err != nil {
			return fmt.Errorf("UnaryCall with response_compressed %v: %w", compressed, err)
		}
		if err := checkFlags("UnaryCall response", tap.Since(mark), false, compressed); err != nil {
			return err
		}
	}
	return nil
}

// DoClientCompressedStreaming is client_compressed_streaming: a StreamingInputCall whose
// one uncompressed request has expect_compressed true must fail INVALID_ARGUMENT; then a
// StreamingInputCall with a compressed 27182-byte request (expect_compressed true) and an
// uncompressed 45904-byte one (false) gets aggregated_payload_size 73086.
func DoClientCompressedStreaming(ctx context.Context, ch *actorrpc.Channel, tap *WireTap) error {
	if tap == nil {
		return errNoTap
	}
	tc := testpb.NewTestServiceClient(ch)
	if err := clientStreamingProbe(ctx, tc); err != nil {
		return err
	}
	mark := tap.Mark()
	reply, err := streamingInputMixed(ctx, ch, []mixedRequest{
		{compressed: true, msg: &testpb.StreamingInputCallRequest{ExpectCompressed: &testpb.BoolValue{Value: true}, Payload: ClientNewPayload(27182)}},
		{compressed: false, msg: &testpb.StreamingInputCallRequest{ExpectCompressed: &testpb.BoolValue{Value: false}, Payload: ClientNewPayload(45904)}},
	})
	if err != nil {
		return fmt.Errorf("StreamingInputCall with a compressed and an uncompressed request: %w", err)
	}
	if got, want := reply.GetAggregatedPayloadSize(), int32(27182+45904); got != want {
		return fmt.Errorf("StreamingInputCall aggregated_payload_size: got %d; want %d", got, want)
	}
	return checkFlags("StreamingInputCall requests", tap.Since(mark), true, true, false)
}

// clientStreamingProbe is client_compressed_streaming's feature probe.
func clientStreamingProbe(ctx context.Context, tc testpb.TestServiceClient) error {
	stream, err := tc.StreamingInputCall(ctx, actorrpc.UseCompressor("identity"))
	if err != nil {
		return fmt.Errorf("StreamingInputCall feature probe: %w", err)
	}
	req := &testpb.StreamingInputCallRequest{ExpectCompressed: &testpb.BoolValue{Value: true}, Payload: ClientNewPayload(27182)}
	if err := stream.Send(req); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("StreamingInputCall feature probe Send: %w", err)
	}
	_, err = stream.CloseAndRecv()
	if c := actorrpc.CodeOf(err); c != actorrpc.InvalidArgument {
		return fmt.Errorf("StreamingInputCall feature probe (expect_compressed true, sent uncompressed): got %v (code %v); want code %v", err, c, actorrpc.InvalidArgument)
	}
	return nil
}

// DoServerCompressedStreaming is server_compressed_streaming: a StreamingOutputCall asking
// for a compressed 31415-byte response and an uncompressed 92653-byte one gets them so.
func DoServerCompressedStreaming(ctx context.Context, tc testpb.TestServiceClient, tap *WireTap) error {
	if tap == nil {
		return errNoTap
	}
	req := &testpb.StreamingOutputCallRequest{
		ResponseType: testpb.PayloadType_COMPRESSABLE,
		ResponseParameters: []*testpb.ResponseParameters{
			{Compressed: &testpb.BoolValue{Value: true}, Size: 31415},
			{Compressed: &testpb.BoolValue{Value: false}, Size: 92653},
		},
	}
	mark := tap.Mark()
	stream, err := tc.StreamingOutputCall(ctx, req)
	if err != nil {
		return fmt.Errorf("StreamingOutputCall: %w", err)
	}
	if err := recvSizes(stream, []int{31415, 92653}); err != nil {
		return err
	}
	return checkFlags("StreamingOutputCall responses", tap.Since(mark), false, true, false)
}

// errNoTap is the error of a compression case run without a WireTap.
var errNoTap = errors.New("the compression cases check the Compressed-Flag on the wire: dial the Channel with a WireTap and set Env.Wire")

// encoding names the grpc-encoding of a call whose requests are compressed or not.
func encoding(compressed bool) string {
	if compressed {
		return gzipName
	}
	return "identity"
}

// checkFlags checks that msgs holds, in the direction sent, exactly the messages whose
// Compressed-Flags are want.
func checkFlags(what string, msgs []WireMessage, sent bool, want ...bool) error {
	var got []bool
	for _, m := range msgs {
		if m.Sent == sent {
			got = append(got, m.Compressed)
		}
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s Compressed-Flags on the wire: got %v; want %v", what, got, want)
	}
	return nil
}
