package interop_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// TestUnaryCall checks the TestService's UnaryCall against grpc-go's testServer semantics.
func TestUnaryCall(t *testing.T) {
	tc := testpb.NewTestServiceClient(newEnv(t, startServer(t, interop.NewTestServer()), nil).Channel)
	tests := []struct {
		name     string
		req      *testpb.SimpleRequest
		wantCode actorrpc.Code
		wantMsg  string
		wantSize int
	}{
		{name: "empty request", req: &testpb.SimpleRequest{}},
		{name: "sized", req: &testpb.SimpleRequest{ResponseSize: 314159, Payload: interop.ClientNewPayload(10)}, wantSize: 314159},
		{name: "fill flags ignored", req: &testpb.SimpleRequest{ResponseSize: 3, FillUsername: true, FillOauthScope: true}, wantSize: 3},
		{name: "status", req: &testpb.SimpleRequest{ResponseSize: 3, ResponseStatus: &testpb.EchoStatus{Code: 9, Message: "nope"}},
			wantCode: actorrpc.FailedPrecondition, wantMsg: "nope"},
		{name: "status OK is no status", req: &testpb.SimpleRequest{ResponseSize: 2, ResponseStatus: &testpb.EchoStatus{Message: "ignored"}}, wantSize: 2},
		{name: "negative size", req: &testpb.SimpleRequest{ResponseSize: -1},
			wantCode: actorrpc.Unknown, wantMsg: "requested a response with invalid length -1"},
		{name: "unsupported type", req: &testpb.SimpleRequest{ResponseType: testpb.PayloadType(7)},
			wantCode: actorrpc.Unknown, wantMsg: "unsupported payload type: 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := tc.UnaryCall(testCtx(t), tt.req)
			st := actorrpc.StatusOf(err)
			require.Equal(t, tt.wantCode, st.Code(), "got %v", err)
			assert.Equal(t, tt.wantMsg, st.Message())
			if tt.wantCode == actorrpc.OK {
				assert.Equal(t, testpb.PayloadType_COMPRESSABLE, resp.GetPayload().GetType())
				assert.Len(t, resp.GetPayload().GetBody(), tt.wantSize)
			}
		})
	}
}

// TestUnaryCallEchoesMetadata: the echo keys come back, also when the call fails, and
// other keys do not.
func TestUnaryCallEchoesMetadata(t *testing.T) {
	tc := testpb.NewTestServiceClient(newEnv(t, startServer(t, interop.NewTestServer()), nil).Channel)
	tests := []struct {
		name string
		req  *testpb.SimpleRequest
	}{
		{"success", &testpb.SimpleRequest{ResponseSize: 1}},
		{"failure", &testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Code: 2, Message: "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := actorrpc.NewOutgoingContext(testCtx(t), actorrpc.Pairs(
				"x-grpc-test-echo-initial", "first", "x-grpc-test-echo-initial", "second",
				"x-grpc-test-echo-trailing-bin", "\x00\x01\xff",
				"other", "not echoed",
			))
			var header, trailer actorrpc.Metadata
			_, _ = tc.UnaryCall(ctx, tt.req, actorrpc.Header(&header), actorrpc.Trailer(&trailer))
			assert.Equal(t, []string{"first"}, header["x-grpc-test-echo-initial"])
			assert.Equal(t, []string{"\x00\x01\xff"}, trailer["x-grpc-test-echo-trailing-bin"])
			assert.NotContains(t, header, "other")
			assert.NotContains(t, trailer, "other")
		})
	}
}

// TestOtherMethods covers EmptyCall, CacheableUnaryCall and UnimplementedCall.
func TestOtherMethods(t *testing.T) {
	ch := newEnv(t, startServer(t, interop.NewTestServer()), nil).Channel
	tc := testpb.NewTestServiceClient(ch)
	ctx := testCtx(t)

	resp, err := tc.EmptyCall(ctx, &testpb.Empty{})
	require.NoError(t, err)
	assert.NotNil(t, resp)

	var header actorrpc.Metadata
	first, err := tc.CacheableUnaryCall(ctx, &testpb.SimpleRequest{}, actorrpc.Header(&header))
	require.NoError(t, err)
	assert.Equal(t, []string{"max-age=60, public"}, header["cache-control"])
	second, err := tc.CacheableUnaryCall(ctx, &testpb.SimpleRequest{})
	require.NoError(t, err)
	assert.NotEqual(t, first.GetPayload().GetBody(), second.GetPayload().GetBody(), "two calls got the same body")

	_, err = tc.UnimplementedCall(ctx, &testpb.Empty{})
	assert.Equal(t, actorrpc.Unimplemented, actorrpc.CodeOf(err), "got %v", err)
}

// TestUnaryCallCompression: expect_compressed is enforced both ways, and
// response_compressed decides the response's Compressed-Flag. Without it, the runtime
// answers a gzipped request gzipped, as grpc-go does.
func TestUnaryCallCompression(t *testing.T) {
	env := newEnv(t, startServer(t, interop.NewTestServer()), nil)
	tc := testpb.NewTestServiceClient(env.Channel)
	tests := []struct {
		name      string
		gzip      bool
		expect    *testpb.BoolValue
		respond   *testpb.BoolValue
		wantCode  actorrpc.Code
		wantMsg   string
		wantFlags []bool
	}{
		{name: "no expectations", wantFlags: []bool{false}},
		{name: "no expectations, compressed", gzip: true, wantFlags: []bool{true}},
		{name: "expected compressed, got it", gzip: true, expect: boolValue(true), wantFlags: []bool{true}},
		{name: "compressed, response uncompressed", gzip: true, respond: boolValue(false), wantFlags: []bool{false}},
		{name: "expected uncompressed, got it", expect: boolValue(false), wantFlags: []bool{false}},
		{name: "expected compressed, got uncompressed", expect: boolValue(true),
			wantCode: actorrpc.InvalidArgument, wantMsg: "expected a compressed request, got an uncompressed one"},
		{name: "expected uncompressed, got compressed", gzip: true, expect: boolValue(false),
			wantCode: actorrpc.InvalidArgument, wantMsg: "expected an uncompressed request, got a compressed one"},
		{name: "response compressed", respond: boolValue(true), wantFlags: []bool{true}},
		{name: "response uncompressed", respond: boolValue(false), wantFlags: []bool{false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := env.Wire.Mark()
			req := &testpb.SimpleRequest{ResponseSize: 1000, Payload: interop.ClientNewPayload(1000), ExpectCompressed: tt.expect, ResponseCompressed: tt.respond}
			resp, err := tc.UnaryCall(testCtx(t), req, useGzip(tt.gzip))
			st := actorrpc.StatusOf(err)
			require.Equal(t, tt.wantCode, st.Code(), "got %v", err)
			assert.Equal(t, tt.wantMsg, st.Message())
			assert.Equal(t, tt.wantFlags, receivedFlags(env.Wire, mark), "response Compressed-Flags")
			if tt.wantCode == actorrpc.OK {
				assert.Len(t, resp.GetPayload().GetBody(), 1000)
			}
		})
	}
}
