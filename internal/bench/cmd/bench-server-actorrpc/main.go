// Command bench-server-actorrpc serves grpc.testing.BenchmarkService with actorrpc:
// UnaryCall and each StreamingCall request (ping-pong) are answered with response_size zero
// bytes; StreamingFromServer sends such responses as fast as it can until the call ends. It
// prints "READY addr=… admin=…" once it listens, serves GET /stats on the admin address,
// and on SIGINT or SIGTERM stops, writes its profiles and prints its cost per operation on
// stderr.
//
//	go run ./cmd/bench-server-actorrpc -addr 127.0.0.1:50051 -gomaxprocs 1 -cpuprofile server.pprof
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/bench/benchpb"
	"github.com/actorrpc/actorrpc/internal/bench/harness"
)

type benchServer struct {
	benchpb.UnimplementedBenchmarkServiceServer
}

func (benchServer) UnaryCall(_ context.Context, req *benchpb.SimpleRequest) (*benchpb.SimpleResponse, error) {
	harness.CountOp()
	return response(req), nil
}

// StreamingCall answers each request with response_size zero bytes (ping-pong), until the
// client half-closes.
func (benchServer) StreamingCall(stream benchpb.BenchmarkService_StreamingCallServer) error {
	return harness.ServePingPong(stream, response)
}

// StreamingFromServer sends response_size zero bytes as fast as it can, until the call ends.
func (benchServer) StreamingFromServer(req *benchpb.SimpleRequest, stream benchpb.BenchmarkService_StreamingFromServerServer) error {
	return harness.ServeStream(stream, response(req))
}

func response(req *benchpb.SimpleRequest) *benchpb.SimpleResponse {
	resp := &benchpb.SimpleResponse{}
	if n := int(req.GetResponseSize()); n > 0 {
		resp.Payload = &benchpb.Payload{Body: harness.Body(n)}
	}
	return resp
}

func main() {
	var f harness.ServerFlags
	f.Register(flag.CommandLine)
	flag.Parse()
	if err := run(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench-server-actorrpc:", err)
		os.Exit(1)
	}
}

func run(f harness.ServerFlags) error {
	lis, err := net.Listen("tcp", f.Addr)
	if err != nil {
		return err
	}
	srv := actorrpc.NewServer()
	benchpb.RegisterBenchmarkServiceServer(srv, benchServer{})
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
	if errors.Is(err, actorrpc.ErrServerStopped) {
		err = nil
	}
	return errors.Join(err, p.Finish())
}
