package actorrpc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// The benchmarks here measure a unary round trip through the whole runtime, client and
// server in this process, over a loopback TCP connection:
//
//	go test -bench UnaryRoundTrip -benchmem -run '^$'
//
// allocs/op and B/op count both sides of the call; writes/op counts the write syscalls of
// both sides (from /proc/self/io, where there is one). The cross-runtime comparison with
// grpc-go lives in internal/bench (its own module); see BENCHMARKS.md.

// benchZeros backs every payload; it is only read.
var benchZeros = make([]byte, 1<<20)

// benchService answers UnaryCall with response_size zero bytes.
type benchService struct {
	testpb.UnimplementedTestServiceServer
}

func (benchService) UnaryCall(_ context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	resp := &testpb.SimpleResponse{}
	if n := int(req.GetResponseSize()); n > 0 {
		resp.Payload = &testpb.Payload{Body: benchZeros[:n:n]}
	}
	return resp, nil
}

// benchRequest asks for size bytes back and carries size bytes.
func benchRequest(size int) *testpb.SimpleRequest {
	req := &testpb.SimpleRequest{ResponseSize: int32(size)}
	if size > 0 {
		req.Payload = &testpb.Payload{Body: benchZeros[:size:size]}
	}
	return req
}

// benchLoopback is an actorrpc server on a loopback TCP listener and one Channel to it,
// each in its own actor system. It does not depend on the testing package.
type benchLoopback struct {
	srv    *actorrpc.Server
	ch     *actorrpc.Channel
	served chan error
	client testpb.TestServiceClient
}

// startBenchLoopback starts the server, dials it and makes one call, so the connection is
// up before anything is measured.
func startBenchLoopback() (*benchLoopback, error) {
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
	if _, err := l.client.UnaryCall(context.Background(), benchRequest(0)); err != nil {
		return nil, errors.Join(err, l.close())
	}
	return l, nil
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
	for _, size := range []int{0, 1 << 10} {
		b.Run(fmt.Sprintf("%dB/1caller", size), func(b *testing.B) {
			l, err := startBenchLoopback()
			if err != nil {
				b.Fatal(err)
			}
			defer func() {
				if err := l.close(); err != nil {
					b.Error(err)
				}
			}()
			req, ctx := benchRequest(size), context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(2 * size))
			writes := benchWriteSyscalls()
			for b.Loop() {
				if _, err := l.client.UnaryCall(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			reportWrites(b, writes)
		})
		// About 64 concurrent callers on the one connection, whatever GOMAXPROCS is.
		b.Run(fmt.Sprintf("%dB/parallel64", size), func(b *testing.B) {
			l, err := startBenchLoopback()
			if err != nil {
				b.Fatal(err)
			}
			defer func() {
				if err := l.close(); err != nil {
					b.Error(err)
				}
			}()
			b.ReportAllocs()
			b.SetBytes(int64(2 * size))
			b.SetParallelism((64 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			writes := benchWriteSyscalls()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				req, ctx := benchRequest(size), context.Background()
				for pb.Next() {
					if _, err := l.client.UnaryCall(ctx, req); err != nil {
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
