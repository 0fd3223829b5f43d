package grpcgo_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding/gzip" // registers gzip with grpc-go
	grpcinterop "google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/stats"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// payloadSizes is a grpc-go stats.Handler noting, for each message its side receives,
// whether it arrived compressed. grpc-go's InPayload tells: for a message that was not
// compressed, its CompressedLength is its Length (recvAndDecompress in grpc-go's
// rpc_util.go). A compressed large payload of zeros has WireLength < Length; a compressed
// message of a few bytes grows, so its CompressedLength is larger.
type payloadSizes struct {
	mu         sync.Mutex
	compressed []bool // guarded by mu
}

// received says, per message received, whether it travelled compressed.
func (p *payloadSizes) received() []bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bool(nil), p.compressed...)
}

func (p *payloadSizes) HandleRPC(_ context.Context, s stats.RPCStats) {
	if in, ok := s.(*stats.InPayload); ok {
		p.mu.Lock()
		p.compressed = append(p.compressed, in.CompressedLength != in.Length)
		p.mu.Unlock()
	}
}

func (p *payloadSizes) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (p *payloadSizes) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (p *payloadSizes) HandleConn(context.Context, stats.ConnStats) {}

// compressionSpy is actorrpc's interop TestService noting, for each request its handlers
// read, whether actorrpc.ReceivedCompressed says it arrived compressed.
type compressionSpy struct {
	testpb.UnimplementedTestServiceServer
	inner testpb.TestServiceServer
	mu    sync.Mutex
	got   []bool // guarded by mu
}

func (s *compressionSpy) note(ctx context.Context) {
	s.mu.Lock()
	s.got = append(s.got, actorrpc.ReceivedCompressed(ctx))
	s.mu.Unlock()
}

func (s *compressionSpy) seen() []bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bool(nil), s.got...)
}

func (s *compressionSpy) UnaryCall(ctx context.Context, in *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	s.note(ctx)
	return s.inner.UnaryCall(ctx, in)
}

func (s *compressionSpy) StreamingOutputCall(in *testpb.StreamingOutputCallRequest, stream testpb.TestService_StreamingOutputCallServer) error {
	s.note(stream.Context())
	return s.inner.StreamingOutputCall(in, stream)
}

func (s *compressionSpy) StreamingInputCall(stream testpb.TestService_StreamingInputCallServer) error {
	return s.inner.StreamingInputCall(spyInput{stream, s})
}

func (s *compressionSpy) FullDuplexCall(stream testpb.TestService_FullDuplexCallServer) error {
	return s.inner.FullDuplexCall(spyDuplex{stream, s})
}

// spyInput and spyDuplex note each request their Recv returns.
type spyInput struct {
	testpb.TestService_StreamingInputCallServer
	spy *compressionSpy
}

func (x spyInput) Recv() (*testpb.StreamingInputCallRequest, error) {
	m, err := x.TestService_StreamingInputCallServer.Recv()
	if err == nil {
		x.spy.note(x.Context())
	}
	return m, err
}

type spyDuplex struct {
	testpb.TestService_FullDuplexCallServer
	spy *compressionSpy
}

func (x spyDuplex) Recv() (*testpb.StreamingOutputCallRequest, error) {
	m, err := x.TestService_FullDuplexCallServer.Recv()
	if err == nil {
		x.spy.note(x.Context())
	}
	return m, err
}

// TestGzipGrpcGoClientToOurServer: a grpc-go client compressing with gzip, against
// actorrpc's TestService serving WithCompressor("gzip"). actorrpc's handlers see every
// request compressed, and grpc-go's stats see every response compressed. Without gzip on
// either side, the same checks see nothing compressed.
func TestGzipGrpcGoClientToOurServer(t *testing.T) {
	tests := []struct {
		name          string
		run           func(t *testing.T, ctx context.Context, tc testgrpc.TestServiceClient)
		wantRequests  int
		wantResponses int
	}{
		{"unary", grpcGoCase(grpcinterop.DoLargeUnaryCall), 1, 1},
		{"server streaming", grpcGoServerStreaming, 1, 4},
		{"client streaming", grpcGoCase(grpcinterop.DoClientStreaming), 4, 1},
		{"bidi", grpcGoCase(grpcinterop.DoPingPong), 4, 4},
	}
	for _, tt := range tests {
		for _, gz := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/gzip=%v", tt.name, gz), func(t *testing.T) {
				t.Parallel()
				spy := &compressionSpy{inner: interop.NewTestServer()}
				client := &payloadSizes{}
				var serverOpts []actorrpc.ServerOption
				clientOpts := []grpc.DialOption{grpc.WithStatsHandler(client)}
				if gz {
					serverOpts = append(serverOpts, actorrpc.WithCompressor("gzip"))
					clientOpts = append(clientOpts, grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)))
				}
				cc := dialGrpcGo(t, startOurServer(t, spy, serverOpts...), clientOpts...)
				tt.run(t, testCtx(t), testgrpc.NewTestServiceClient(cc))
				assert.Equal(t, repeat(gz, tt.wantRequests), spy.seen(), "requests compressed, as actorrpc's handlers saw them")
				assert.Equal(t, repeat(gz, tt.wantResponses), client.received(), "responses compressed, as grpc-go's client stats saw them")
			})
		}
	}
}

// grpcGoCase adapts a grpc-go interop case to the table.
func grpcGoCase(do func(context.Context, testgrpc.TestServiceClient, ...grpc.CallOption)) func(*testing.T, context.Context, testgrpc.TestServiceClient) {
	return func(_ *testing.T, ctx context.Context, tc testgrpc.TestServiceClient) { do(ctx, tc) }
}

// grpcGoServerStreaming is server_streaming with a 27182-byte request (grpc-go's
// DoServerStreaming sends an empty one, which grpc-go does not compress).
func grpcGoServerStreaming(t *testing.T, ctx context.Context, tc testgrpc.TestServiceClient) {
	req := &testgrpc.StreamingOutputCallRequest{
		ResponseType: testgrpc.PayloadType_COMPRESSABLE,
		Payload:      grpcinterop.ClientNewPayload(testgrpc.PayloadType_COMPRESSABLE, 27182),
		ResponseParameters: []*testgrpc.ResponseParameters{
			{Size: 31415}, {Size: 9000}, {Size: 2653}, {Size: 58979},
		},
	}
	stream, err := tc.StreamingOutputCall(ctx, req)
	require.NoError(t, err)
	for {
		_, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err)
	}
}

// TestGzipOurClientToGrpcGoServer: actorrpc's client WithCompressor("gzip"), against
// grpc-go's interop TestService with gzip registered, which answers a gzipped request
// gzipped. grpc-go's server stats see every request compressed, actorrpc's WireTap sees
// every request and every response with its Compressed-Flag set, and actorrpc's client
// decodes the responses (the cases check their sizes). Without gzip on our client, the
// same checks see nothing compressed.
func TestGzipOurClientToGrpcGoServer(t *testing.T) {
	tests := []struct {
		name          string
		run           func(ctx context.Context, tc testpb.TestServiceClient) error
		wantRequests  int
		wantResponses int
	}{
		{name: "unary", run: interop.DoLargeUnaryCall, wantRequests: 1, wantResponses: 1},
		{name: "server streaming", run: interop.DoServerStreaming, wantRequests: 1, wantResponses: 4},
		{name: "client streaming", run: interop.DoClientStreaming, wantRequests: 4, wantResponses: 1},
		{name: "bidi", run: interop.DoPingPong, wantRequests: 4, wantResponses: 4},
	}
	for _, tt := range tests {
		for _, gz := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/gzip=%v", tt.name, gz), func(t *testing.T) {
				t.Parallel()
				server := &payloadSizes{}
				addr := startGrpcGoServerWith(t, grpcinterop.NewTestServer(), grpc.StatsHandler(server))
				tap := interop.NewWireTap()
				opts := []actorrpc.DialOption{tap.DialOption()}
				if gz {
					opts = append(opts, actorrpc.WithCompressor("gzip"))
				}
				ch := dialOurs(t, addr, opts...)
				require.NoError(t, tt.run(testCtx(t), testpb.NewTestServiceClient(ch)))
				assert.Equal(t, repeat(gz, tt.wantRequests), server.received(), "requests compressed, as grpc-go's server stats saw them")
				sent, received := flags(tap.Since(0))
				assert.Equal(t, repeat(gz, tt.wantRequests), sent, "requests' Compressed-Flags on the wire")
				assert.Equal(t, repeat(gz, tt.wantResponses), received, "responses' Compressed-Flags on the wire")
			})
		}
	}
}

// flags splits the Compressed-Flags of msgs into those the client sent and received.
func flags(msgs []interop.WireMessage) (sent, received []bool) {
	for _, m := range msgs {
		if m.Sent {
			sent = append(sent, m.Compressed)
		} else {
			received = append(received, m.Compressed)
		}
	}
	return sent, received
}

// repeat returns n copies of v.
func repeat(v bool, n int) []bool {
	b := make([]bool, n)
	for i := range b {
		b[i] = v
	}
	return b
}
