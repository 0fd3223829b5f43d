// Command bench-client-actorrpc drives a BenchmarkService server with an actorrpc client:
// one Channel (one connection), -workload's callers each running UnaryCall, a StreamingCall
// ping-pong or a StreamingFromServer receive loop in a closed loop. It prints one JSON
// line (harness.Result): ops/s, p50 and p99, and the cost per operation on the client and,
// with -admin, on the server.
//
//	go run ./cmd/bench-client-actorrpc -addr 127.0.0.1:50051 -admin 127.0.0.1:PORT -workload unary-0B-c64
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/bench/benchpb"
	"github.com/actorrpc/actorrpc/internal/bench/harness"
)

func main() {
	var f harness.ClientFlags
	f.Register(flag.CommandLine)
	flag.Parse()
	if err := run(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench-client-actorrpc:", err)
		os.Exit(1)
	}
}

func run(f harness.ClientFlags) error {
	ch, err := actorrpc.Dial(f.Addr)
	if err != nil {
		return err
	}
	defer ch.Close()
	client := benchpb.NewBenchmarkServiceClient(ch)
	stubs := harness.Stubs[benchpb.SimpleRequest, benchpb.SimpleResponse]{
		Request: func(w harness.Workload) *benchpb.SimpleRequest {
			req := &benchpb.SimpleRequest{ResponseSize: int32(w.RespSize)}
			if w.ReqSize > 0 {
				req.Payload = &benchpb.Payload{Body: harness.Body(w.ReqSize)}
			}
			return req
		},
		Unary: func(ctx context.Context, req *benchpb.SimpleRequest) (*benchpb.SimpleResponse, error) {
			return client.UnaryCall(ctx, req)
		},
		PingPong: func(ctx context.Context) (harness.BidiClient[benchpb.SimpleRequest, benchpb.SimpleResponse], error) {
			return client.StreamingCall(ctx)
		},
		ServerStream: func(ctx context.Context, req *benchpb.SimpleRequest) (harness.RecvClient[benchpb.SimpleResponse], error) {
			return client.StreamingFromServer(ctx, req)
		},
	}
	r, err := harness.RunClient(context.Background(), f, "actorrpc", stubs.NewCaller)
	if err != nil {
		return err
	}
	return harness.PrintResult(r)
}
