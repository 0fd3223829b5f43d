package interop

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// The sizes of the large_unary case.
const (
	largeReqSize  = 271828
	largeRespSize = 314159
)

// The values the custom_metadata case sends and expects back.
const (
	initialMetadataValue  = "test_initial_metadata_value"
	trailingMetadataValue = "\x0a\x0b\x0a\x0b\x0a\x0b"
)

// ClientNewPayload returns a zeroed COMPRESSABLE payload of size bytes.
func ClientNewPayload(size int) *testpb.Payload {
	return &testpb.Payload{Type: testpb.PayloadType_COMPRESSABLE, Body: make([]byte, size)}
}

// DoEmptyUnaryCall is empty_unary: an empty request gets an empty response.
func DoEmptyUnaryCall(ctx context.Context, tc testpb.TestServiceClient) error {
	reply, err := tc.EmptyCall(ctx, &testpb.Empty{})
	if err != nil {
		return fmt.Errorf("/TestService/EmptyCall RPC failed: %w", err)
	}
	if !proto.Equal(&testpb.Empty{}, reply) {
		return fmt.Errorf("/TestService/EmptyCall got %v; want an empty message", reply)
	}
	return nil
}

// DoLargeUnaryCall is large_unary: a 271828-byte request gets a 314159-byte response.
func DoLargeUnaryCall(ctx context.Context, tc testpb.TestServiceClient) error {
	return largeUnary(ctx, tc, largeReqSize, largeRespSize)
}

// largeUnary makes one UnaryCall with a payload of reqSize bytes and checks that the
// response carries respSize bytes.
func largeUnary(ctx context.Context, tc testpb.TestServiceClient, reqSize, respSize int, opts ...actorrpc.CallOption) error {
	req := &testpb.SimpleRequest{
		ResponseType: testpb.PayloadType_COMPRESSABLE,
		ResponseSize: int32(respSize),
		Payload:      ClientNewPayload(reqSize),
	}
	reply, err := tc.UnaryCall(ctx, req, opts...)
	if err != nil {
		return fmt.Errorf("/TestService/UnaryCall RPC failed: %w", err)
	}
	return checkPayload(reply.GetPayload(), respSize)
}

// checkPayload checks a response payload's type and size.
func checkPayload(pl *testpb.Payload, size int) error {
	if t, n := pl.GetType(), len(pl.GetBody()); t != testpb.PayloadType_COMPRESSABLE || n != size {
		return fmt.Errorf("got the reply with type %v len %d; want %v, %d", t, n, testpb.PayloadType_COMPRESSABLE, size)
	}
	return nil
}

// DoStatusCodeAndMessage is status_code_and_message: the server answers the status the
// request asks for, code and message intact, from a UnaryCall and from a FullDuplexCall.
func DoStatusCodeAndMessage(ctx context.Context, tc testpb.TestServiceClient) error {
	const code, msg = actorrpc.Unknown, "test status message"
	if err := echoStatus(ctx, tc, code, msg); err != nil {
		return err
	}
	return fullDuplexStatus(ctx, tc, code, msg)
}

// DoSpecialStatusMessage is special_status_message: whitespace and Unicode (BMP and
// non-BMP) in a status message survive the round trip.
func DoSpecialStatusMessage(ctx context.Context, tc testpb.TestServiceClient) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return echoStatus(ctx, tc, actorrpc.Unknown, "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n")
}

// echoStatus asks the server to fail a UnaryCall with code and msg and checks that it did.
func echoStatus(ctx context.Context, tc testpb.TestServiceClient, code actorrpc.Code, msg string) error {
	req := &testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(code), Message: msg}}
	_, err := tc.UnaryCall(ctx, req)
	st := actorrpc.StatusOf(err)
	if err == nil || st.Code() != code || st.Message() != msg {
		return fmt.Errorf("UnaryCall with response_status got %v (code %v, message %q); want code %v, message %q", err, st.Code(), st.Message(), code, msg)
	}
	return nil
}

// DoCustomMetadata is custom_metadata: the server echoes x-grpc-test-echo-initial as a
// header and x-grpc-test-echo-trailing-bin as a trailer, of a UnaryCall and of a
// FullDuplexCall.
func DoCustomMetadata(ctx context.Context, tc testpb.TestServiceClient) error {
	ctx = actorrpc.NewOutgoingContext(ctx, actorrpc.Pairs(
		initialMetadataKey, initialMetadataValue,
		trailingMetadataKey, trailingMetadataValue,
	))
	var header, trailer actorrpc.Metadata
	if err := largeUnary(ctx, tc, 1, 1, actorrpc.Header(&header), actorrpc.Trailer(&trailer)); err != nil {
		return err
	}
	if err := checkEchoes("UnaryCall", header, trailer); err != nil {
		return err
	}
	return fullDuplexMetadata(ctx, tc)
}

// checkEchoes checks a call's header and trailer for the custom_metadata echoes.
func checkEchoes(method string, header, trailer actorrpc.Metadata) error {
	if err := checkEcho(method+" header", header, initialMetadataKey, initialMetadataValue); err != nil {
		return err
	}
	return checkEcho(method+" trailer", trailer, trailingMetadataKey, trailingMetadataValue)
}

// checkEcho checks that md holds exactly one value, want, for key.
func checkEcho(what string, md actorrpc.Metadata, key, want string) error {
	if got := md[key]; len(got) != 1 || got[0] != want {
		return fmt.Errorf("%s %s: got %q; want [%q]", what, key, got, want)
	}
	return nil
}

// DoUnimplementedMethod is unimplemented_method: TestService/UnimplementedCall answers
// UNIMPLEMENTED.
func DoUnimplementedMethod(ctx context.Context, cc actorrpc.ClientConnInterface) error {
	err := cc.Invoke(ctx, testpb.TestService_UnimplementedCall_FullMethodName, &testpb.Empty{}, &testpb.Empty{})
	return wantUnimplemented("TestService/UnimplementedCall", err)
}

// DoUnimplementedService is unimplemented_service: a method of a service the server does
// not serve answers UNIMPLEMENTED.
func DoUnimplementedService(ctx context.Context, tc testpb.UnimplementedServiceClient) error {
	_, err := tc.UnimplementedCall(ctx, &testpb.Empty{})
	return wantUnimplemented("UnimplementedService/UnimplementedCall", err)
}

// wantUnimplemented checks that a call failed with UNIMPLEMENTED.
func wantUnimplemented(method string, err error) error {
	if c := actorrpc.CodeOf(err); c != actorrpc.Unimplemented {
		return fmt.Errorf("%s got %v (code %v); want code %v", method, err, c, actorrpc.Unimplemented)
	}
	return nil
}
