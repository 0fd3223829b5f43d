package interop_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// boolValue returns a BoolValue holding v.
func boolValue(v bool) *testpb.BoolValue { return &testpb.BoolValue{Value: v} }

// useGzip compresses a call's requests with gzip, or not at all.
func useGzip(on bool) actorrpc.CallOption {
	if on {
		return actorrpc.UseCompressor("gzip")
	}
	return actorrpc.UseCompressor("identity")
}

// receivedFlags returns the Compressed-Flags of the messages the client received since
// mark.
func receivedFlags(tap *interop.WireTap, mark int) []bool {
	var got []bool
	for _, m := range tap.Since(mark) {
		if !m.Sent {
			got = append(got, m.Compressed)
		}
	}
	return got
}

// TestStreamingOutputCall: one response per response_parameters, of its size and
// compressed as it says; a bad parameter ends the call.
func TestStreamingOutputCall(t *testing.T) {
	env := newEnv(t, startServer(t, interop.NewTestServer()), nil)
	tc := testpb.NewTestServiceClient(env.Channel)
	tests := []struct {
		name      string
		params    []*testpb.ResponseParameters
		typ       testpb.PayloadType
		wantSizes []int
		wantFlags []bool
		wantCode  actorrpc.Code
		wantMsg   string
	}{
		{name: "none"},
		{name: "sizes", params: []*testpb.ResponseParameters{{Size: 3}, {Size: 0}, {Size: 70000}},
			wantSizes: []int{3, 0, 70000}, wantFlags: []bool{false, false, false}},
		{name: "compressed then not", params: []*testpb.ResponseParameters{{Size: 500, Compressed: boolValue(true)}, {Size: 500, Compressed: boolValue(false)}},
			wantSizes: []int{500, 500}, wantFlags: []bool{true, false}},
		{name: "not compressed then compressed", params: []*testpb.ResponseParameters{{Size: 500, Compressed: boolValue(false)}, {Size: 500, Compressed: boolValue(true)}},
			wantSizes: []int{500, 500}, wantFlags: []bool{false, true}},
		{name: "negative size after one", params: []*testpb.ResponseParameters{{Size: 1}, {Size: -1}},
			wantSizes: []int{1}, wantFlags: []bool{false}, wantCode: actorrpc.Unknown, wantMsg: "requested a response with invalid length -1"},
		{name: "unsupported type", params: []*testpb.ResponseParameters{{Size: 1}}, typ: testpb.PayloadType(7),
			wantCode: actorrpc.Unknown, wantMsg: "unsupported payload type: 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := env.Wire.Mark()
			stream, err := tc.StreamingOutputCall(testCtx(t), &testpb.StreamingOutputCallRequest{ResponseType: tt.typ, ResponseParameters: tt.params})
			require.NoError(t, err)
			var sizes []int
			for {
				resp, err := stream.Recv()
				if err != nil {
					if tt.wantCode == actorrpc.OK {
						require.ErrorIs(t, err, io.EOF)
					} else {
						st := actorrpc.StatusOf(err)
						assert.Equal(t, tt.wantCode, st.Code(), "got %v", err)
						assert.Equal(t, tt.wantMsg, st.Message())
					}
					break
				}
				sizes = append(sizes, len(resp.GetPayload().GetBody()))
			}
			assert.Equal(t, tt.wantSizes, sizes)
			assert.Equal(t, tt.wantFlags, receivedFlags(env.Wire, mark), "Compressed-Flags")
		})
	}
}

// TestStreamingOutputCallObservesInterval: each response waits its interval_us after the
// one before.
func TestStreamingOutputCallObservesInterval(t *testing.T) {
	tc := testpb.NewTestServiceClient(newEnv(t, startServer(t, interop.NewTestServer()), nil).Channel)
	const interval = 30 * time.Millisecond
	params := []*testpb.ResponseParameters{{Size: 1, IntervalUs: int32(interval.Microseconds())}, {Size: 1, IntervalUs: int32(interval.Microseconds())}}
	start := time.Now()
	stream, err := tc.StreamingOutputCall(testCtx(t), &testpb.StreamingOutputCallRequest{ResponseParameters: params})
	require.NoError(t, err)
	_, err = stream.Recv()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), interval, "first response")
	_, err = stream.Recv()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 2*interval, "second response")
}

// TestStreamingInputCall: the sum of the payload sizes, and expect_compressed enforced per
// request.
func TestStreamingInputCall(t *testing.T) {
	addr := startServer(t, interop.NewTestServer())
	tests := []struct {
		name     string
		gzip     bool
		reqs     []*testpb.StreamingInputCallRequest
		wantSum  int32
		wantCode actorrpc.Code
		wantMsg  string
	}{
		{name: "no requests"},
		{name: "sum", reqs: []*testpb.StreamingInputCallRequest{{Payload: interop.ClientNewPayload(3)}, {}, {Payload: interop.ClientNewPayload(40000)}}, wantSum: 40003},
		{name: "expected compressed, got it", gzip: true,
			reqs: []*testpb.StreamingInputCallRequest{{ExpectCompressed: boolValue(true), Payload: interop.ClientNewPayload(5)}}, wantSum: 5},
		{name: "expected uncompressed, got it",
			reqs: []*testpb.StreamingInputCallRequest{{ExpectCompressed: boolValue(false), Payload: interop.ClientNewPayload(5)}}, wantSum: 5},
		{name: "expected compressed, got uncompressed",
			reqs:     []*testpb.StreamingInputCallRequest{{Payload: interop.ClientNewPayload(1)}, {ExpectCompressed: boolValue(true)}},
			wantCode: actorrpc.InvalidArgument, wantMsg: "expected a compressed request, got an uncompressed one"},
		{name: "expected uncompressed, got compressed", gzip: true,
			reqs:     []*testpb.StreamingInputCallRequest{{ExpectCompressed: boolValue(false)}},
			wantCode: actorrpc.InvalidArgument, wantMsg: "expected an uncompressed request, got a compressed one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tc := testpb.NewTestServiceClient(newEnv(t, addr, nil).Channel)
			stream, err := tc.StreamingInputCall(testCtx(t), useGzip(tt.gzip))
			require.NoError(t, err)
			for _, r := range tt.reqs {
				if err := stream.Send(r); err != nil {
					require.ErrorIs(t, err, io.EOF)
				}
			}
			resp, err := stream.CloseAndRecv()
			st := actorrpc.StatusOf(err)
			require.Equal(t, tt.wantCode, st.Code(), "got %v", err)
			assert.Equal(t, tt.wantMsg, st.Message())
			assert.Equal(t, tt.wantSum, resp.GetAggregatedPayloadSize())
		})
	}
}

// TestDuplexCalls: FullDuplexCall answers each request as it comes and HalfDuplexCall all
// of them after the half-close, in order; a response_status ends the call with it.
func TestDuplexCalls(t *testing.T) {
	tc := testpb.NewTestServiceClient(newEnv(t, startServer(t, interop.NewTestServer()), nil).Channel)
	req := func(sizes ...int32) *testpb.StreamingOutputCallRequest {
		r := &testpb.StreamingOutputCallRequest{}
		for _, s := range sizes {
			r.ResponseParameters = append(r.ResponseParameters, &testpb.ResponseParameters{Size: s})
		}
		return r
	}
	status := &testpb.StreamingOutputCallRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(actorrpc.Aborted), Message: "stop"}}
	tests := []struct {
		name      string
		half      bool
		reqs      []*testpb.StreamingOutputCallRequest
		wantSizes []int
		wantCode  actorrpc.Code
	}{
		{name: "full", reqs: []*testpb.StreamingOutputCallRequest{req(1, 2), req(), req(3)}, wantSizes: []int{1, 2, 3}},
		{name: "full, status", reqs: []*testpb.StreamingOutputCallRequest{req(1), status, req(2)}, wantSizes: []int{1}, wantCode: actorrpc.Aborted},
		{name: "half", half: true, reqs: []*testpb.StreamingOutputCallRequest{req(1, 2), req(), req(3)}, wantSizes: []int{1, 2, 3}},
		{name: "half, status", half: true, reqs: []*testpb.StreamingOutputCallRequest{req(1), status, req(2)}, wantSizes: []int{1}, wantCode: actorrpc.Aborted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			open := tc.FullDuplexCall
			if tt.half {
				open = tc.HalfDuplexCall
			}
			stream, err := open(testCtx(t))
			require.NoError(t, err)
			for _, r := range tt.reqs {
				if err := stream.Send(r); err != nil {
					require.ErrorIs(t, err, io.EOF)
				}
			}
			require.NoError(t, stream.CloseSend())
			var sizes []int
			for {
				resp, err := stream.Recv()
				if err != nil {
					if !errors.Is(err, io.EOF) {
						assert.Equal(t, tt.wantCode, actorrpc.CodeOf(err), "got %v", err)
					} else {
						assert.Equal(t, actorrpc.OK, tt.wantCode, "the call ended OK")
					}
					break
				}
				sizes = append(sizes, len(resp.GetPayload().GetBody()))
			}
			assert.Equal(t, tt.wantSizes, sizes)
		})
	}
}

// TestFullDuplexCallEchoesMetadata: the echo keys come back as a header, sent before any
// response, and as a trailer.
func TestFullDuplexCallEchoesMetadata(t *testing.T) {
	tc := testpb.NewTestServiceClient(newEnv(t, startServer(t, interop.NewTestServer()), nil).Channel)
	ctx := actorrpc.NewOutgoingContext(testCtx(t), actorrpc.Pairs(
		"x-grpc-test-echo-initial", "hi", "x-grpc-test-echo-trailing-bin", "\x00\xff", "other", "no"))
	stream, err := tc.FullDuplexCall(ctx)
	require.NoError(t, err)
	header, err := stream.Header()
	require.NoError(t, err)
	assert.Equal(t, []string{"hi"}, header["x-grpc-test-echo-initial"])
	assert.NotContains(t, header, "other")
	require.NoError(t, stream.CloseSend())
	_, err = stream.Recv()
	require.ErrorIs(t, err, io.EOF)
	assert.Equal(t, []string{"\x00\xff"}, stream.Trailer()["x-grpc-test-echo-trailing-bin"])
}
