// Command bench-server-grpcgo serves grpc.testing.BenchmarkService (UnaryCall, StreamingCall
// ping-pong, StreamingFromServer) with grpc-go v1.85 and its default options, answering
// exactly as bench-server-actorrpc does, for comparison. Flags and output are the same.
//
//	go run ./cmd/bench-server-grpcgo -addr 127.0.0.1:50052 -gomaxprocs 1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc"
	testpb "google.golang.org/grpc/interop/grpc_testing"

	"github.com/actorrpc/actorrpc/internal/bench/harness"
)

type benchServer struct {
	testpb.UnimplementedBenchmarkServiceServer
}

func (benchServer) UnaryCall(_ context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	harness.CountOp()
	return response(req), nil
}

// StreamingCall answers each request with response_size zero bytes (ping-pong), until the
// client half-closes.
func (benchServer) StreamingCall(stream testpb.BenchmarkService_StreamingCallServer) error {
	return harness.ServePingPong(stream, response)
}

// StreamingFromServer sends response_size zero bytes as fast as it can, until the call ends.
func (benchServer) StreamingFromServer(req *testpb.SimpleRequest, stream testpb.BenchmarkService_StreamingFromServerServer) error {
	return harness.ServeStream(stream, response(req))
}

func response(req *testpb.SimpleRequest) *testpb.SimpleResponse {
	resp := &testpb.SimpleResponse{}
	if n := int(req.GetResponseSize()); n > 0 {
		resp.Payload = &testpb.Payload{Body: harness.Body(n)}
	}
	return resp
}

func main() {
	var f harness.ServerFlags
	f.Register(flag.CommandLine)
	flag.Parse()
	if err := run(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench-server-grpcgo:", err)
		os.Exit(1)
	}
}

func run(f harness.ServerFlags) error {
	lis, err := net.Listen("tcp", f.Addr)
	if err != nil {
		return err
	}
	srv := grpc.NewServer()
	testpb.RegisterBenchmarkServiceServer(srv, benchServer{})
	p, err := harness.StartServer(f, lis)
	if err != nil {
		_ = lis.Close()
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	harness.WaitForSignal()
	srv.Stop()
	err = <-served
	if errors.Is(err, grpc.ErrServerStopped) {
		err = nil
	}
	return errors.Join(err, p.Finish())
}
