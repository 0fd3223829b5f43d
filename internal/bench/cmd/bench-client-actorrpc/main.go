// Command bench-client-actorrpc drives a BenchmarkService server with an actorrpc client:
// one Channel (one connection), -workload's callers each calling UnaryCall in a closed loop.
// It prints one JSON line (harness.Result): ops/s, p50 and p99, and the cost per call on
// the client and, with -admin, on the server.
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
	r, err := harness.RunClient(context.Background(), f, "actorrpc", func(w harness.Workload) harness.CallFunc {
		req := &benchpb.SimpleRequest{ResponseSize: int32(w.RespSize)}
		if w.ReqSize > 0 {
			req.Payload = &benchpb.Payload{Body: harness.Body(w.ReqSize)}
		}
		return func(ctx context.Context) error {
			_, err := client.UnaryCall(ctx, req)
			return err
		}
	})
	if err != nil {
		return err
	}
	return harness.PrintResult(r)
}
