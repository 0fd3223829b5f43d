package interop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// The message sizes of client_streaming, server_streaming and ping_pong.
var (
	reqSizes  = []int{27182, 8, 1828, 45904}
	respSizes = []int{31415, 9, 2653, 58979}
)

// DoClientStreaming is client_streaming: four requests, then half-close; the response
// sums their payload sizes (74922).
func DoClientStreaming(ctx context.Context, tc testpb.TestServiceClient) error {
	stream, err := tc.StreamingInputCall(ctx)
	if err != nil {
		return fmt.Errorf("StreamingInputCall: %w", err)
	}
	var sum int
	for _, s := range reqSizes {
		if err := stream.Send(&testpb.StreamingInputCallRequest{Payload: ClientNewPayload(s)}); err != nil {
			return fmt.Errorf("StreamingInputCall sending a %d-byte payload: %w", s, err)
		}
		sum += s
	}
	reply, err := stream.CloseAndRecv()
	if err != nil {
		return fmt.Errorf("StreamingInputCall CloseAndRecv: %w", err)
	}
	if got := reply.GetAggregatedPayloadSize(); got != int32(sum) {
		return fmt.Errorf("StreamingInputCall aggregated_payload_size: got %d; want %d", got, sum)
	}
	return nil
}

// DoServerStreaming is server_streaming: one request for four responses of the given
// sizes, in order, then OK.
func DoServerStreaming(ctx context.Context, tc testpb.TestServiceClient) error {
	params := make([]*testpb.ResponseParameters, len(respSizes))
	for i, s := range respSizes {
		params[i] = &testpb.ResponseParameters{Size: int32(s)}
	}
	req := &testpb.StreamingOutputCallRequest{ResponseType: testpb.PayloadType_COMPRESSABLE, ResponseParameters: params}
	stream, err := tc.StreamingOutputCall(ctx, req)
	if err != nil {
		return fmt.Errorf("StreamingOutputCall: %w", err)
	}
	return recvSizes(stream, respSizes)
}

// recvSizes receives one response per size, each of that size, then the OK end.
func recvSizes(stream testpb.TestService_StreamingOutputCallClient, sizes []int) error {
	for i, size := range sizes {
		reply, err := stream.Recv()
		if err != nil {
			return fmt.Errorf("StreamingOutputCall response %d: got %v; want a %d-byte payload", i, err, size)
		}
		if err := checkPayload(reply.GetPayload(), size); err != nil {
			return fmt.Errorf("StreamingOutputCall response %d: %w", i, err)
		}
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("StreamingOutputCall after %d responses: got %v; want the OK end (io.EOF)", len(sizes), err)
	}
	return nil
}

// DoPingPong is ping_pong: four requests on a FullDuplexCall, each sent after the reply to
// the one before, each reply of the size asked; then half-close and OK.
func DoPingPong(ctx context.Context, tc testpb.TestServiceClient) error {
	stream, err := tc.FullDuplexCall(ctx)
	if err != nil {
		return fmt.Errorf("FullDuplexCall: %w", err)
	}
	for i := range reqSizes {
		req := &testpb.StreamingOutputCallRequest{
			ResponseType:       testpb.PayloadType_COMPRESSABLE,
			ResponseParameters: []*testpb.ResponseParameters{{Size: int32(respSizes[i])}},
			Payload:            ClientNewPayload(reqSizes[i]),
		}
		if err := stream.Send(req); err != nil {
			return fmt.Errorf("FullDuplexCall sending request %d: %w", i, err)
		}
		reply, err := stream.Recv()
		if err != nil {
			return fmt.Errorf("FullDuplexCall receiving reply %d: %w", i, err)
		}
		if err := checkPayload(reply.GetPayload(), respSizes[i]); err != nil {
			return fmt.Errorf("FullDuplexCall reply %d: %w", i, err)
		}
	}
	return closeAndExpectEnd(stream)
}

// DoEmptyStream is empty_stream: a FullDuplexCall half-closed at once ends OK without a
// response.
func DoEmptyStream(ctx context.Context, tc testpb.TestServiceClient) error {
	stream, err := tc.FullDuplexCall(ctx)
	if err != nil {
		return fmt.Errorf("FullDuplexCall: %w", err)
	}
	return closeAndExpectEnd(stream)
}

// closeAndExpectEnd half-closes a FullDuplexCall and expects its OK end, with no further
// response.
func closeAndExpectEnd(stream testpb.TestService_FullDuplexCallClient) error {
	if err := stream.CloseSend(); err != nil {
		return fmt.Errorf("FullDuplexCall CloseSend: %w", err)
	}
	if reply, err := stream.Recv(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("FullDuplexCall after CloseSend: got (%v, %v); want the OK end (io.EOF)", reply, err)
	}
	return nil
}

// DoTimeoutOnSleepingServer is timeout_on_sleeping_server: a FullDuplexCall with a 1 ms
// deadline, whose request the server never answers, ends DEADLINE_EXCEEDED.
func DoTimeoutOnSleepingServer(ctx context.Context, tc testpb.TestServiceClient) error {
	ctx, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	stream, err := tc.FullDuplexCall(ctx)
	if err != nil {
		if actorrpc.CodeOf(err) == actorrpc.DeadlineExceeded {
			return nil
		}
		return fmt.Errorf("FullDuplexCall: %w", err)
	}
	req := &testpb.StreamingOutputCallRequest{ResponseType: testpb.PayloadType_COMPRESSABLE, Payload: ClientNewPayload(27182)}
	if err := stream.Send(req); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("FullDuplexCall Send: got %w; want nil or io.EOF", err)
	}
	if _, err := stream.Recv(); actorrpc.CodeOf(err) != actorrpc.DeadlineExceeded {
		return fmt.Errorf("FullDuplexCall Recv: got %v; want code %v", err, actorrpc.DeadlineExceeded)
	}
	return nil
}

// DoCancelAfterBegin is cancel_after_begin: a StreamingInputCall cancelled before any
// request ends CANCELLED.
func DoCancelAfterBegin(ctx context.Context, tc testpb.TestServiceClient) error {
	ctx, cancel := context.WithCancel(actorrpc.NewOutgoingContext(ctx, actorrpc.Pairs("key1", "value1", "key2", "value2")))
	defer cancel()
	stream, err := tc.StreamingInputCall(ctx)
	if err != nil {
		return fmt.Errorf("StreamingInputCall: %w", err)
	}
	cancel()
	if _, err := stream.CloseAndRecv(); actorrpc.CodeOf(err) != actorrpc.Canceled {
		return fmt.Errorf("StreamingInputCall CloseAndRecv after cancel: got %v; want code %v", err, actorrpc.Canceled)
	}
	return nil
}

// DoCancelAfterFirstResponse is cancel_after_first_response: a FullDuplexCall cancelled
// after its first reply ends CANCELLED.
func DoCancelAfterFirstResponse(ctx context.Context, tc testpb.TestServiceClient) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := tc.FullDuplexCall(ctx)
	if err != nil {
		return fmt.Errorf("FullDuplexCall: %w", err)
	}
	req := &testpb.StreamingOutputCallRequest{
		ResponseType:       testpb.PayloadType_COMPRESSABLE,
		ResponseParameters: []*testpb.ResponseParameters{{Size: 31415}},
		Payload:            ClientNewPayload(27182),
	}
	if err := stream.Send(req); err != nil {
		return fmt.Errorf("FullDuplexCall Send: %w", err)
	}
	if _, err := stream.Recv(); err != nil {
		return fmt.Errorf("FullDuplexCall first Recv: %w", err)
	}
	cancel()
	if _, err := stream.Recv(); actorrpc.CodeOf(err) != actorrpc.Canceled {
		return fmt.Errorf("FullDuplexCall Recv after cancel: got %v; want code %v", err, actorrpc.Canceled)
	}
	return nil
}

// fullDuplexStatus is the FullDuplexCall half of status_code_and_message: a request
// asking for code and msg, then half-close; the call ends with that status.
func fullDuplexStatus(ctx context.Context, tc testpb.TestServiceClient, code actorrpc.Code, msg string) error {
	stream, err := tc.FullDuplexCall(ctx)
	if err != nil {
		return fmt.Errorf("FullDuplexCall: %w", err)
	}
	req := &testpb.StreamingOutputCallRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(code), Message: msg}}
	if err := stream.Send(req); err != nil {
		return fmt.Errorf("FullDuplexCall Send: %w", err)
	}
	if err := stream.CloseSend(); err != nil {
		return fmt.Errorf("FullDuplexCall CloseSend: %w", err)
	}
	_, err = stream.Recv()
	if st := actorrpc.StatusOf(err); err == nil || st.Code() != code || st.Message() != msg {
		return fmt.Errorf("FullDuplexCall with response_status got %v (code %v, message %q); want code %v, message %q", err, st.Code(), st.Message(), code, msg)
	}
	return nil
}

// fullDuplexMetadata is the FullDuplexCall half of custom_metadata: ctx carries the echo
// keys; one request for a 1-byte reply, then half-close; the header and the trailer echo
// them.
func fullDuplexMetadata(ctx context.Context, tc testpb.TestServiceClient) error {
	stream, err := tc.FullDuplexCall(ctx)
	if err != nil {
		return fmt.Errorf("FullDuplexCall: %w", err)
	}
	req := &testpb.StreamingOutputCallRequest{
		ResponseType:       testpb.PayloadType_COMPRESSABLE,
		ResponseParameters: []*testpb.ResponseParameters{{Size: 1}},
		Payload:            ClientNewPayload(1),
	}
	if err := stream.Send(req); err != nil {
		return fmt.Errorf("FullDuplexCall Send: %w", err)
	}
	header, err := stream.Header()
	if err != nil {
		return fmt.Errorf("FullDuplexCall Header: %w", err)
	}
	if _, err := stream.Recv(); err != nil {
		return fmt.Errorf("FullDuplexCall Recv: %w", err)
	}
	if err := closeAndExpectEnd(stream); err != nil {
		return err
	}
	return checkEchoes("FullDuplexCall", header, stream.Trailer())
}
