// Command bench-server-grpcgo serves grpc.testing.BenchmarkService's UnaryCall with grpc-go
// v1.85 and its default options, answering exactly as bench-server-actorrpc does, for
// comparison. Flags and output are the same.
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
	harness.CountCall()
	resp := &testpb.SimpleResponse{}
	if n := int(req.GetResponseSize()); n > 0 {
		resp.Payload = &testpb.Payload{Body: harness.Body(n)}
	}
	return resp, nil
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
