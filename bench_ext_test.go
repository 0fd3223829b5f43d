package actorrpc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// The benchmarks here and in stream_bench_test.go measure the whole runtime, client and
// server in this process, over a loopback TCP connection, for actorrpc and, next to it, for
// grpc-go (grpcgo_bench_test.go) serving the same handlers:
//
//	go test -bench . -benchmem -run '^$'
//	go test -bench 'UnaryRoundTrip/.*/0B' -benchmem -run '^$' -count 6   # for benchstat
//
// allocs/op and B/op count both sides of the call; writes/op counts the write syscalls of
// both sides (from /proc/self/io, where there is one). Both runtimes' handlers and callers
// use the untyped SendMsg/RecvMsg into reused messages, so the figures are the runtime's
// own. The cross-process comparison with grpc-go lives in internal/bench (its own module);
// see BENCHMARKS.md.

// benchZeros backs every payload; it is only read.
var benchZeros = make([]byte, 1<<20)

func benchPayload(size int) *testpb.Payload {
	if size <= 0 {
		return nil
	}
	return &testpb.Payload{Body: benchZeros[:size:size]}
}

// benchRequest asks for size bytes back and carries size bytes.
func benchRequest(size int) *testpb.SimpleRequest {
	return &testpb.SimpleRequest{ResponseSize: int32(size), Payload: benchPayload(size)}
}

// benchStreamRequest asks for size-byte responses and carries size bytes.
func benchStreamRequest(size int) *testpb.StreamingOutputCallRequest {
	return &testpb.StreamingOutputCallRequest{
		ResponseParameters: []*testpb.ResponseParameters{{Size: int32(size)}},
		Payload:            benchPayload(size),
	}
}

// benchMsgStream is a stream as the benchmarks' handlers and callers use it, whichever
// runtime carries it.
type benchMsgStream interface {
	send(proto.Message) error
	recv(proto.Message) error
}

// benchUnary answers UnaryCall with response_size zero bytes.
func benchUnary(req *testpb.SimpleRequest) *testpb.SimpleResponse {
	return &testpb.SimpleResponse{Payload: benchPayload(int(req.GetResponseSize()))}
}

// benchServeInput receives StreamingInputCall's requests until the client half-closes and
// answers with their total payload size.
func benchServeInput(s benchMsgStream) error {
	var req testpb.StreamingInputCallRequest
	total := 0
	for {
		err := s.recv(&req)
		if err == io.EOF {
			return s.send(&testpb.StreamingInputCallResponse{AggregatedPayloadSize: int32(total)})
		}
		if err != nil {
			return err
		}
		total += len(req.GetPayload().GetBody())
	}
}

// benchServeOutput sends StreamingOutputCall's first response size as fast as the stream
// takes it, until the call ends.
func benchServeOutput(req *testpb.StreamingOutputCallRequest, s benchMsgStream) error {
	resp := &testpb.StreamingOutputCallResponse{Payload: benchPayload(int(req.GetResponseParameters()[0].GetSize()))}
	for {
		if err := s.send(resp); err != nil {
			return err
		}
	}
}

// benchServeDuplex answers each FullDuplexCall request with its first response size
// (ping-pong), until the client half-closes.
func benchServeDuplex(s benchMsgStream) error {
	var req testpb.StreamingOutputCallRequest
	for {
		err := s.recv(&req)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		resp := &testpb.StreamingOutputCallResponse{Payload: benchPayload(int(req.GetResponseParameters()[0].GetSize()))}
		if err := s.send(resp); err != nil {
			return err
		}
	}
}

// benchClientStream is the client side of a benchmark stream.
type benchClientStream interface {
	benchMsgStream
	closeSend() error
}

// benchConn is one runtime's server on a loopback TCP listener and one client connection
// to it. It does not depend on the testing package.
type benchConn interface {
	unary(ctx context.Context, req *testpb.SimpleRequest, resp *testpb.SimpleResponse) error
	streamingInput(ctx context.Context) (benchClientStream, error)
	streamingOutput(ctx context.Context, req *testpb.StreamingOutputCallRequest) (benchClientStream, error)
	fullDuplex(ctx context.Context) (benchClientStream, error)
	close() error
}

// benchRuntimes are the runtimes every in-process benchmark runs on, ours first.
var benchRuntimes = []struct {
	name  string
	start func() (benchConn, error)
}{
	{"actorrpc", startBenchLoopback},
	{"grpcgo", startGRPCGoLoopback},
}

// startBench starts a runtime's loopback and makes one call, so the connection is up
// before anything is measured; b's cleanup closes it.
func startBench(b *testing.B, start func() (benchConn, error)) benchConn {
	b.Helper()
	c, err := start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := c.close(); err != nil {
			b.Error(err)
		}
	})
	if err := c.unary(context.Background(), benchRequest(0), new(testpb.SimpleResponse)); err != nil {
		b.Fatal(err)
	}
	return c
}

// benchService is actorrpc's TestService for the benchmarks.
type benchService struct {
	testpb.UnimplementedTestServiceServer
}

func (benchService) UnaryCall(_ context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	return benchUnary(req), nil
}

func (benchService) StreamingInputCall(s testpb.TestService_StreamingInputCallServer) error {
	return benchServeInput(actorServerStream{s})
}

func (benchService) StreamingOutputCall(req *testpb.StreamingOutputCallRequest, s testpb.TestService_StreamingOutputCallServer) error {
	return benchServeOutput(req, actorServerStream{s})
}

func (benchService) FullDuplexCall(s testpb.TestService_FullDuplexCallServer) error {
	return benchServeDuplex(actorServerStream{s})
}

type actorServerStream struct{ s actorrpc.ServerStream }

func (a actorServerStream) send(m proto.Message) error { return a.s.SendMsg(m) }
func (a actorServerStream) recv(m proto.Message) error { return a.s.RecvMsg(m) }

type actorClientStream struct{ s actorrpc.ClientStream }

func (a actorClientStream) send(m proto.Message) error { return a.s.SendMsg(m) }
func (a actorClientStream) recv(m proto.Message) error { return a.s.RecvMsg(m) }
func (a actorClientStream) closeSend() error           { return a.s.CloseSend() }

// benchLoopback is an actorrpc server and one Channel to it, each in its own actor system.
type benchLoopback struct {
	srv    *actorrpc.Server
	ch     *actorrpc.Channel
	served chan error
	client testpb.TestServiceClient
}

var _ benchConn = (*benchLoopback)(nil)

func startBenchLoopback() (benchConn, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &benchLoopback{srv: actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem())), served: make(chan error, 1)}
	testpb.RegisterTestServiceServer(l.srv, benchService{})
	go func() { l.served <- l.srv.Serve(lis) }()
	if l.ch, err = actorrpc.Dial(lis.Addr().String(), actorrpc.WithActorSystem(actors.NewSystem())); err != nil {
		return nil, errors.Join(err, l.stopServer())
	}
	l.client = testpb.NewTestServiceClient(l.ch)
	return l, nil
}

func (l *benchLoopback) unary(ctx context.Context, req *testpb.SimpleRequest, resp *testpb.SimpleResponse) error {
	return l.ch.Invoke(ctx, testpb.TestService_UnaryCall_FullMethodName, req, resp)
}

func (l *benchLoopback) streamingInput(ctx context.Context) (benchClientStream, error) {
	s, err := l.client.StreamingInputCall(ctx)
	if err != nil {
		return nil, err
	}
	return actorClientStream{s}, nil
}

func (l *benchLoopback) streamingOutput(ctx context.Context, req *testpb.StreamingOutputCallRequest) (benchClientStream, error) {
	s, err := l.client.StreamingOutputCall(ctx, req)
	if err != nil {
		return nil, err
	}
	return actorClientStream{s}, nil
}

func (l *benchLoopback) fullDuplex(ctx context.Context) (benchClientStream, error) {
	s, err := l.client.FullDuplexCall(ctx)
	if err != nil {
		return nil, err
	}
	return actorClientStream{s}, nil
}

func (l *benchLoopback) stopServer() error {
	l.srv.Stop()
	if err := <-l.served; err != nil && !errors.Is(err, actorrpc.ErrServerStopped) {
		return err
	}
	return nil
}

// close closes the Channel, stops the server and waits for Serve to return.
func (l *benchLoopback) close() error {
	return errors.Join(l.ch.Close(), l.stopServer())
}

// benchWriteSyscalls is the process's count of write syscalls so far, or -1 if unknown.
func benchWriteSyscalls() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("syscw: ")); ok {
			if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				return n
			}
		}
	}
	return -1
}

// reportWrites reports write syscalls per op since before (both sides of the call).
func reportWrites(b *testing.B, before int64) {
	if after := benchWriteSyscalls(); before >= 0 && after >= 0 && b.N > 0 {
		b.ReportMetric(float64(after-before)/float64(b.N), "writes/op")
	}
}

func BenchmarkUnaryRoundTrip(b *testing.B) {
	for _, rt := range benchRuntimes {
		for _, size := range []int{0, 1 << 10} {
			b.Run(fmt.Sprintf("%s/%dB/1caller", rt.name, size), func(b *testing.B) {
				c := startBench(b, rt.start)
				req, resp, ctx := benchRequest(size), new(testpb.SimpleResponse), context.Background()
				b.ReportAllocs()
				b.SetBytes(int64(2 * size))
				writes := benchWriteSyscalls()
				for b.Loop() {
					if err := c.unary(ctx, req, resp); err != nil {
						b.Fatal(err)
					}
				}
				reportWrites(b, writes)
			})
			// About 64 concurrent callers on the one connection, whatever GOMAXPROCS is.
			b.Run(fmt.Sprintf("%s/%dB/parallel64", rt.name, size), func(b *testing.B) {
				c := startBench(b, rt.start)
				b.ReportAllocs()
				b.SetBytes(int64(2 * size))
				b.SetParallelism((64 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
				writes := benchWriteSyscalls()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					req, resp, ctx := benchRequest(size), new(testpb.SimpleResponse), context.Background()
					for pb.Next() {
						if err := c.unary(ctx, req, resp); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.StopTimer()
				reportWrites(b, writes)
			})
		}
	}
}
