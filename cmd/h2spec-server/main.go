// Command h2spec-server serves a trivial gRPC service (helloworld.HelloService) in
// plaintext HTTP/2 (h2c) for h2spec, the HTTP/2 conformance tester (.ci/h2spec.sh):
//
//	go run ./cmd/h2spec-server --addr 127.0.0.1:8443
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
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", lis.Addr())
	if err := run(ctx, lis); err != nil {
		log.Fatal(err)
	}
}

// run serves on lis until ctx ends.
func run(ctx context.Context, lis net.Listener) error {
	srv := actorrpc.NewServer(actorrpc.WithLogger(slog.New(slog.DiscardHandler)))
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
