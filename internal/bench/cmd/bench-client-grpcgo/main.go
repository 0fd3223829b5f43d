// Command bench-client-grpcgo drives a BenchmarkService server with a grpc-go v1.85 client
// (default options, one ClientConn, so one connection), exactly as bench-client-actorrpc
// does. Flags and output are the same.
//
//	go run ./cmd/bench-client-grpcgo -addr 127.0.0.1:50052 -workload unary-1KiB-c1
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"

	"github.com/actorrpc/actorrpc/internal/bench/harness"
)

func main() {
	var f harness.ClientFlags
	f.Register(flag.CommandLine)
	flag.Parse()
	if err := run(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench-client-grpcgo:", err)
		os.Exit(1)
	}
}

func run(f harness.ClientFlags) error {
	cc, err := grpc.NewClient("passthrough:///"+f.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer cc.Close()
	client := testpb.NewBenchmarkServiceClient(cc)
	stubs := harness.Stubs[testpb.SimpleRequest, testpb.SimpleResponse]{
		Request: func(w harness.Workload) *testpb.SimpleRequest {
			req := &testpb.SimpleRequest{ResponseSize: int32(w.RespSize)}
			if w.ReqSize > 0 {
				req.Payload = &testpb.Payload{Body: harness.Body(w.ReqSize)}
			}
			return req
		},
		Unary: func(ctx context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
			return client.UnaryCall(ctx, req)
		},
		PingPong: func(ctx context.Context) (harness.BidiClient[testpb.SimpleRequest, testpb.SimpleResponse], error) {
			return client.StreamingCall(ctx)
		},
		ServerStream: func(ctx context.Context, req *testpb.SimpleRequest) (harness.RecvClient[testpb.SimpleResponse], error) {
			return client.StreamingFromServer(ctx, req)
		},
	}
	r, err := harness.RunClient(context.Background(), f, "grpcgo", stubs.NewCaller)
	if err != nil {
		return err
	}
	return harness.PrintResult(r)
}
