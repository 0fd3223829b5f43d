package grpcgo_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// The keys the interop TestService echoes, as a header and as a trailer.
const (
	echoInitialKey  = "x-grpc-test-echo-initial"
	echoTrailingKey = "x-grpc-test-echo-trailing-bin"
)

// allBytes holds every byte value once.
var allBytes = func() string {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}()

// metadataCases are echoed through a UnaryCall: an ASCII header value and a binary
// trailer value, base64 on the wire.
var metadataCases = []struct {
	name, initial, trailing string
}{
	{"interop values", "test_initial_metadata_value", "\x0a\x0b\x0a\x0b\x0a\x0b"},
	{"every byte", "a b~!", allBytes},
	{"NUL and high bytes", "x", "\x00\xff\x00\xfe"},
	{"one byte", "y", "\x80"},
}

// TestMetadataGrpcGoClientToOurServer: grpc-go sends the echo keys, actorrpc's TestService
// echoes them, grpc-go reads back the same bytes.
func TestMetadataGrpcGoClientToOurServer(t *testing.T) {
	tc := testgrpc.NewTestServiceClient(dialGrpcGo(t, startOurServer(t, interop.NewTestServer())))
	for _, tt := range metadataCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := metadata.NewOutgoingContext(testCtx(t), metadata.Pairs(echoInitialKey, tt.initial, echoTrailingKey, tt.trailing))
			var header, trailer metadata.MD
			_, err := tc.UnaryCall(ctx, &testgrpc.SimpleRequest{ResponseSize: 1}, grpc.Header(&header), grpc.Trailer(&trailer))
			require.NoError(t, err)
			assert.Equal(t, []string{tt.initial}, header.Get(echoInitialKey), "header")
			assert.Equal(t, []string{tt.trailing}, trailer.Get(echoTrailingKey), "trailer")
		})
	}
}

// TestMetadataOurClientToGrpcGoServer: actorrpc sends the echo keys, grpc-go's TestService
// echoes them, actorrpc reads back the same bytes.
func TestMetadataOurClientToGrpcGoServer(t *testing.T) {
	tc := testpb.NewTestServiceClient(dialOurs(t, startGrpcGoServer(t)))
	for _, tt := range metadataCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := actorrpc.NewOutgoingContext(testCtx(t), actorrpc.Pairs(echoInitialKey, tt.initial, echoTrailingKey, tt.trailing))
			var header, trailer actorrpc.Metadata
			_, err := tc.UnaryCall(ctx, &testpb.SimpleRequest{ResponseSize: 1}, actorrpc.Header(&header), actorrpc.Trailer(&trailer))
			require.NoError(t, err)
			assert.Equal(t, []string{tt.initial}, header[echoInitialKey], "header")
			assert.Equal(t, []string{tt.trailing}, trailer[echoTrailingKey], "trailer")
		})
	}
}

// recordingServer is grpc-go's TestService recording each UnaryCall's incoming metadata.
type recordingServer struct {
	testgrpc.UnimplementedTestServiceServer
	got chan metadata.MD
}

func (s recordingServer) UnaryCall(ctx context.Context, _ *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	s.got <- md
	return &testgrpc.SimpleResponse{}, nil
}

// TestBinaryMetadataReachesGrpcGoServer: several values of one -bin key, sent by actorrpc,
// arrive at a grpc-go handler intact and in order.
func TestBinaryMetadataReachesGrpcGoServer(t *testing.T) {
	got := make(chan metadata.MD, 1)
	tc := testpb.NewTestServiceClient(dialOurs(t, startGrpcGoServerWith(t, recordingServer{got: got})))
	values := []string{allBytes, "", "\x00", "plain"}
	md := actorrpc.Metadata{"custom-bin": values, "custom-text": {"one", "two"}}
	_, err := tc.UnaryCall(actorrpc.NewOutgoingContext(testCtx(t), md), &testpb.SimpleRequest{})
	require.NoError(t, err)
	in := <-got
	assert.Equal(t, values, in.Get("custom-bin"))
	assert.Equal(t, []string{"one", "two"}, in.Get("custom-text"))
}

// ourRecordingServer is actorrpc's TestService recording each UnaryCall's incoming
// metadata and answering every -bin key's values back, as a header and as a trailer.
type ourRecordingServer struct {
	testpb.UnimplementedTestServiceServer
	got chan actorrpc.Metadata
}

func (s ourRecordingServer) UnaryCall(ctx context.Context, _ *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	in := actorrpc.Incoming(ctx)
	s.got <- in
	out := actorrpc.Metadata{}
	for k, v := range in {
		if len(k) > 4 && k[len(k)-4:] == "-bin" {
			out["echo-"+k] = v
		}
	}
	if err := actorrpc.SetHeader(ctx, out); err != nil {
		return nil, err
	}
	if err := actorrpc.SetTrailer(ctx, out); err != nil {
		return nil, err
	}
	return &testpb.SimpleResponse{}, nil
}

// TestBinaryMetadataBetweenGrpcGoClientAndOurServer: several values of one -bin key, sent
// by grpc-go, arrive at an actorrpc handler intact and in order, and come back to grpc-go
// the same in a -bin header and a -bin trailer.
func TestBinaryMetadataBetweenGrpcGoClientAndOurServer(t *testing.T) {
	got := make(chan actorrpc.Metadata, 1)
	tc := testgrpc.NewTestServiceClient(dialGrpcGo(t, startOurServer(t, ourRecordingServer{got: got})))
	values := []string{allBytes, "", "\x00", "plain"}
	md := metadata.MD{"custom-bin": values, "custom-text": {"one", "two"}}
	var header, trailer metadata.MD
	_, err := tc.UnaryCall(metadata.NewOutgoingContext(testCtx(t), md), &testgrpc.SimpleRequest{}, grpc.Header(&header), grpc.Trailer(&trailer))
	require.NoError(t, err)
	in := <-got
	assert.Equal(t, values, in["custom-bin"], "received by actorrpc")
	assert.Equal(t, []string{"one", "two"}, in["custom-text"], "received by actorrpc")
	assert.Equal(t, values, header.Get("echo-custom-bin"), "header received by grpc-go")
	assert.Equal(t, values, trailer.Get("echo-custom-bin"), "trailer received by grpc-go")
}
