// Command h2spec-server serves a trivial gRPC service (helloworld.HelloService) in
// plaintext HTTP/2 (h2c) for h2spec, the HTTP/2 conformance tester (.ci/h2spec.sh):
//
//	go run ./cmd/h2spec-server --addr 127.0.0.1:8443 [--max-frame-size 16384]
//
// It prints "listening on ADDR" once it accepts connections, and stops on SIGINT or
// SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("h2spec-server: ")
	addr := flag.String("addr", "127.0.0.1:8443", "address to listen on")
	maxFrame := flag.Uint("max-frame-size", 0, "SETTINGS_MAX_FRAME_SIZE to announce (0: the default, 1 MiB)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", lis.Addr())
	if err := run(ctx, lis, uint32(*maxFrame)); err != nil {
		log.Fatal(err)
	}
}

// run serves on lis until ctx ends, announcing maxFrame as SETTINGS_MAX_FRAME_SIZE unless
// it is 0.
func run(ctx context.Context, lis net.Listener, maxFrame uint32) error {
	opts := []actorrpc.ServerOption{actorrpc.WithLogger(slog.New(slog.DiscardHandler))}
	if maxFrame != 0 {
		opts = append(opts, actorrpc.WithMaxFrameSize(maxFrame))
	}
	srv := actorrpc.NewServer(opts...)
	hellopb.RegisterHelloServiceServer(srv, greeter{})
	go func() {
		<-ctx.Done()
		srv.Stop()
	}()
	if err := srv.Serve(lis); err != nil {
		return err
	}
	return nil
}

// greeter answers SayHello.
type greeter struct {
	hellopb.UnimplementedHelloServiceServer
}

func (greeter) SayHello(_ context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
}
