// Command interop-client runs one of gRPC's interop client test cases with actorrpc
// against a plaintext (h2c) interop server, taking grpc-go's interop client flags:
//
//	go run ./cmd/interop-client --server_port 10000 --test_case large_unary
//
// Besides the default cases it runs the four compression cases (client_compressed_unary,
// server_compressed_unary, client_compressed_streaming, server_compressed_streaming),
// checking each message's Compressed-Flag on the wire. It exits 0 when the case passes,
// and 1 with a one-line reason ("FATAL: ...") on stderr when it fails or is unknown.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop"
)

// config is the command line.
type config struct {
	serverHost, hostOverride, testCase string
	serverPort                         int
	useTLS, useTestCA                  bool
	soakMaxLatencyMs, soakTimeoutS     int
	soakMinTimeMs                      int
	soak                               interop.SoakConfig
}

func main() {
	cfg, err := parseFlags(flag.CommandLine, os.Args[1:])
	if err == nil {
		cfg.soak.Log = os.Stdout
		err = run(context.Background(), cfg)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "FATAL: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%s done\n", cfg.testCase)
}

// parseFlags reads the grpc-go interop client flags that apply to a plaintext client.
func parseFlags(fs *flag.FlagSet, args []string) (config, error) {
	var c config
	fs.StringVar(&c.serverHost, "server_host", "localhost", "the server host name")
	fs.IntVar(&c.serverPort, "server_port", 10000, "the server port number")
	fs.StringVar(&c.testCase, "test_case", "large_unary", "the test case: "+fmt.Sprint(interop.Cases()))
	fs.BoolVar(&c.useTLS, "use_tls", false, "must be false: actorrpc has no TLS yet")
	fs.BoolVar(&c.useTestCA, "use_test_ca", false, "ignored: it picks the CA for TLS, which actorrpc does not speak yet")
	fs.StringVar(&c.hostOverride, "server_host_override", "", "the :authority to send instead of host:port")
	fs.IntVar(&c.soak.Iterations, "soak_iterations", 10, "the number of calls of rpc_soak and channel_soak")
	fs.IntVar(&c.soak.MaxFailures, "soak_max_failures", 0, "how many soak iterations may fail")
	fs.IntVar(&c.soakMaxLatencyMs, "soak_per_iteration_max_acceptable_latency_ms", 1000, "a slower soak iteration fails")
	fs.IntVar(&c.soakTimeoutS, "soak_overall_timeout_seconds", 10, "the soak test fails if its iterations are not done by then")
	fs.IntVar(&c.soakMinTimeMs, "soak_min_time_ms_between_rpcs", 0, "the least time between a soak worker's calls")
	fs.IntVar(&c.soak.RequestSize, "soak_request_size", 271828, "the request size of a soak call")
	fs.IntVar(&c.soak.ResponseSize, "soak_response_size", 314159, "the response size of a soak call")
	fs.IntVar(&c.soak.NumWorkers, "soak_num_threads", 1, "the number of concurrent soak workers")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.useTLS {
		return c, errors.New("--use_tls=true is not supported: actorrpc speaks plaintext (h2c) only")
	}
	c.soak.PerIterationMaxAcceptableLatency = time.Duration(c.soakMaxLatencyMs) * time.Millisecond
	c.soak.OverallTimeout = time.Duration(c.soakTimeoutS) * time.Second
	c.soak.MinTimeBetweenRPCs = time.Duration(c.soakMinTimeMs) * time.Millisecond
	return c, nil
}

// run dials the server and runs the test case; opts are added to every Dial. The
// case's Channel dials through a WireTap, for the compression cases; channel_soak's do
// not.
func run(ctx context.Context, c config, opts ...actorrpc.DialOption) error {
	addr := net.JoinHostPort(c.serverHost, strconv.Itoa(c.serverPort))
	if c.hostOverride != "" {
		opts = append(opts, actorrpc.WithAuthority(c.hostOverride))
	}
	dial := func() (*actorrpc.Channel, error) { return actorrpc.Dial(addr, opts...) }
	tap := interop.NewWireTap()
	ch, err := actorrpc.Dial(addr, append(slices.Clip(opts), tap.DialOption())...)
	if err != nil {
		return err
	}
	defer ch.Close()
	c.soak.ServerAddr = addr
	return interop.RunCase(ctx, c.testCase, interop.Env{Channel: ch, Dial: dial, Soak: c.soak, Wire: tap})
}
