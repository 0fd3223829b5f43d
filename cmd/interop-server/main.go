// Command interop-server serves gRPC's interop TestService with actorrpc, in plaintext
// (h2c), for grpc-go's (or any language's) interop client:
//
//	go run ./cmd/interop-server --port 10000
//
// It serves every TestService method but UnimplementedCall, and honours the compression
// fields (expect_compressed, response_compressed, response_parameters.compressed) that
// the four *_compressed_* client cases use. UnimplementedService is not registered, so its
// calls answer UNIMPLEMENTED. SIGINT or SIGTERM stops the server gracefully.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// stopTimeout bounds the graceful stop after a signal.
const stopTimeout = 10 * time.Second

// config is the command line.
type config struct {
	host   string
	port   int
	useTLS bool
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("interop-server: ")
	cfg, err := parseFlags(flag.CommandLine, os.Args[1:])
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	lis, err := net.Listen("tcp", net.JoinHostPort(cfg.host, strconv.Itoa(cfg.port)))
	if err != nil {
		log.Fatal(err)
	}
	if err := run(ctx, lis); err != nil {
		log.Fatal(err)
	}
}

// parseFlags reads grpc-go's interop server flags that apply to a plaintext server.
func parseFlags(fs *flag.FlagSet, args []string) (config, error) {
	var cfg config
	fs.StringVar(&cfg.host, "host", "127.0.0.1", "the address to bind")
	fs.IntVar(&cfg.port, "port", 0, "the port to listen on (required)")
	fs.BoolVar(&cfg.useTLS, "use_tls", false, "must be false: actorrpc has no TLS yet")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.port <= 0 {
		return cfg, errors.New("--port is required")
	}
	if cfg.useTLS {
		return cfg, errors.New("--use_tls=true is not supported: actorrpc serves plaintext (h2c) only")
	}
	return cfg, nil
}

// run serves TestService on lis until ctx is done, then stops gracefully.
func run(ctx context.Context, lis net.Listener, opts ...actorrpc.ServerOption) error {
	srv := actorrpc.NewServer(opts...)
	testpb.RegisterTestServiceServer(srv, interop.NewTestServer())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	log.Printf("serving grpc.testing.TestService on %s", lis.Addr())
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Print("stopping gracefully")
	stopCtx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := srv.GracefulStop(stopCtx); err != nil {
		log.Printf("graceful stop cut calls off: %v", err)
	}
	return <-served
}
