package interop

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// responseSender is the sending half of StreamingOutputCall, FullDuplexCall and
// HalfDuplexCall.
type responseSender interface {
	Send(*testpb.StreamingOutputCallResponse) error
	Context() context.Context
}

// StreamingOutputCall answers one response per response_parameters, each after its
// interval_us and compressed as its compressed field says.
func (testServer) StreamingOutputCall(in *testpb.StreamingOutputCallRequest, stream testpb.TestService_StreamingOutputCallServer) error {
	if err := announceCompression(stream.Context(), in.GetResponseParameters()); err != nil {
		return err
	}
	return sendResponses(stream, in)
}

// StreamingInputCall answers, once the client half-closes, the sum of the request
// payloads' sizes. A request whose compression is not what its expect_compressed says
// fails the call INVALID_ARGUMENT.
func (testServer) StreamingInputCall(stream testpb.TestService_StreamingInputCallServer) error {
	var sum int
	for {
		in, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&testpb.StreamingInputCallResponse{AggregatedPayloadSize: int32(sum)})
		}
		if err != nil {
			return err
		}
		if err := checkCompressed(stream.Context(), in.GetExpectCompressed()); err != nil {
			return err
		}
		sum += len(in.GetPayload().GetBody())
	}
}

// FullDuplexCall echoes the test metadata, then answers each request as it arrives: its
// response_status, when not OK, ends the call; otherwise one response per
// response_parameters. It ends OK once the client half-closes.
func (testServer) FullDuplexCall(stream testpb.TestService_FullDuplexCallServer) error {
	echoStreamMetadata(stream)
	for {
		in, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := answer(stream, in); err != nil {
			return err
		}
	}
}

// HalfDuplexCall reads every request until the client half-closes, then answers them in
// order, as FullDuplexCall would have.
func (testServer) HalfDuplexCall(stream testpb.TestService_HalfDuplexCallServer) error {
	var requests []*testpb.StreamingOutputCallRequest
	for {
		in, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		requests = append(requests, in)
	}
	for _, in := range requests {
		if err := answer(stream, in); err != nil {
			return err
		}
	}
	return nil
}

// answer is a bidi call's reply to one request.
func answer(stream responseSender, in *testpb.StreamingOutputCallRequest) error {
	if err := requestedStatus(in.GetResponseStatus()); err != nil {
		return err
	}
	if err := announceCompression(stream.Context(), in.GetResponseParameters()); err != nil {
		return err
	}
	return sendResponses(stream, in)
}

// sendResponses sends one response per response_parameters of in.
func sendResponses(stream responseSender, in *testpb.StreamingOutputCallRequest) error {
	ctx := stream.Context()
	for _, p := range in.GetResponseParameters() {
		if err := waitInterval(ctx, p.GetIntervalUs()); err != nil {
			return err
		}
		pl, err := serverNewPayload(in.GetResponseType(), p.GetSize())
		if err != nil {
			return err
		}
		if err := setResponseCompressed(ctx, p.GetCompressed()); err != nil {
			return err
		}
		if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: pl}); err != nil {
			return err
		}
	}
	return nil
}

// waitInterval sleeps interval_us microseconds before a response, as "Observe
// ResponseParameters.interval_us" asks, or until the call ends.
func waitInterval(ctx context.Context, us int32) error {
	if us <= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(us) * time.Microsecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return actorrpc.StatusOf(ctx.Err()).Err()
	}
}

// echoStreamMetadata is echoMetadata for a stream: x-grpc-test-echo-initial goes out as a
// header at once, x-grpc-test-echo-trailing-bin as a trailer with the status.
func echoStreamMetadata(stream actorrpc.ServerStream) {
	md := actorrpc.Incoming(stream.Context())
	if v := md[initialMetadataKey]; len(v) > 0 {
		_ = stream.SendHeader(actorrpc.Pairs(initialMetadataKey, v[0]))
	}
	if v := md[trailingMetadataKey]; len(v) > 0 {
		stream.SetTrailer(actorrpc.Pairs(trailingMetadataKey, v[0]))
	}
}
