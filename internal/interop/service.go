package interop

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// The metadata keys the TestService echoes: the first as a response header, the second
// (binary) as a trailer.
const (
	initialMetadataKey  = "x-grpc-test-echo-initial"
	trailingMetadataKey = "x-grpc-test-echo-trailing-bin"
)

// testServer is the interop TestService, after grpc-go's interop/test_utils.go testServer.
// It has no state, so it is safe for concurrent use.
type testServer struct {
	testpb.UnimplementedTestServiceServer
}

var _ testpb.TestServiceServer = testServer{}

// NewTestServer returns the interop TestService: every method but UnimplementedCall,
// which answers UNIMPLEMENTED. Unlike grpc-go's, it honours the compression fields
// (expect_compressed, response_compressed, response_parameters.compressed), so that the
// four *_compressed_* cases can run against it.
func NewTestServer() testpb.TestServiceServer { return testServer{} }

// EmptyCall answers an empty message.
func (testServer) EmptyCall(context.Context, *testpb.Empty) (*testpb.Empty, error) {
	return new(testpb.Empty), nil
}

// UnaryCall echoes the test metadata, fails with response_status when its code is not OK,
// fails INVALID_ARGUMENT when the request's compression is not what expect_compressed
// says, and otherwise answers a zeroed payload of response_type and response_size,
// compressed or not as response_compressed says. fill_username and fill_oauth_scope are
// ignored: there are no credentials.
func (testServer) UnaryCall(ctx context.Context, in *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	echoMetadata(ctx)
	if err := requestedStatus(in.GetResponseStatus()); err != nil {
		return nil, err
	}
	if err := checkCompressed(ctx, in.GetExpectCompressed()); err != nil {
		return nil, err
	}
	if err := setResponseCompressed(ctx, in.GetResponseCompressed()); err != nil {
		return nil, err
	}
	pl, err := serverNewPayload(in.GetResponseType(), in.GetResponseSize())
	if err != nil {
		return nil, err
	}
	return &testpb.SimpleResponse{Payload: pl}, nil
}

// CacheableUnaryCall answers a payload that differs on every call, with a response header
// allowing caches to keep it, as gRPC's C++ interop server does (grpc-go's leaves the
// method unimplemented).
func (testServer) CacheableUnaryCall(ctx context.Context, _ *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	if err := actorrpc.SetHeader(ctx, actorrpc.Pairs("cache-control", "max-age=60, public")); err != nil {
		return nil, err
	}
	body := strconv.FormatInt(time.Now().UnixNano(), 10)
	return &testpb.SimpleResponse{Payload: &testpb.Payload{Type: testpb.PayloadType_COMPRESSABLE, Body: []byte(body)}}, nil
}

// echoMetadata sends the first x-grpc-test-echo-initial value back as a header and the
// first x-grpc-test-echo-trailing-bin value as a trailer. As in grpc-go's testServer, a
// failure to echo is not the call's failure: the client's check reports it.
func echoMetadata(ctx context.Context) {
	md := actorrpc.Incoming(ctx)
	if v := md[initialMetadataKey]; len(v) > 0 {
		_ = actorrpc.SendHeader(ctx, actorrpc.Pairs(initialMetadataKey, v[0]))
	}
	if v := md[trailingMetadataKey]; len(v) > 0 {
		_ = actorrpc.SetTrailer(ctx, actorrpc.Pairs(trailingMetadataKey, v[0]))
	}
}

// requestedStatus returns the error a request's response_status asks for, or nil when it is
// absent or OK.
func requestedStatus(st *testpb.EchoStatus) error {
	if st == nil || st.GetCode() == 0 {
		return nil
	}
	return actorrpc.NewStatus(actorrpc.Code(st.GetCode()), st.GetMessage()).Err()
}

// serverNewPayload returns a zeroed payload; a negative size or a type other than
// COMPRESSABLE is an error (UNKNOWN on the wire, as in grpc-go).
func serverNewPayload(t testpb.PayloadType, size int32) (*testpb.Payload, error) {
	if size < 0 {
		return nil, fmt.Errorf("requested a response with invalid length %d", size)
	}
	if t != testpb.PayloadType_COMPRESSABLE {
		return nil, fmt.Errorf("unsupported payload type: %d", t)
	}
	return &testpb.Payload{Type: t, Body: make([]byte, size)}, nil
}
