// Command benchreport builds the benchmark servers and clients, runs every client × server
// pairing (actorrpc→actorrpc, grpcgo→grpcgo, grpcgo→actorrpc, actorrpc→grpcgo) on every
// workload a few times, and prints a markdown table of medians, spreads and ratios to
// grpc-go→grpc-go. With -write it puts the table, with the machine, Go version and date,
// into BENCHMARKS.md between the markers <!-- benchreport:begin --> and
// <!-- benchreport:end --> (text outside them is kept).
//
// Run it from internal/bench (or the repository root):
//
//	go run ./cmd/benchreport -write ../../BENCHMARKS.md
//	go run ./cmd/benchreport -workloads unary-0B-c64 -pairs actorrpc-actorrpc -reps 1 -profile /tmp/prof
//
// Each server process is started once and serves all its runs; each run is a new client
// process. Runs are interleaved (repetition, then workload, then pairing) so that drift in
// a noisy machine spreads over every pairing.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/actorrpc/actorrpc/internal/bench/harness"
)

// config is what the flags say.
type config struct {
	reps             int
	duration, warmup time.Duration
	workloads        []harness.Workload
	pairs            []pair
	serverProcs      int
	clientProcs      int
	serverCPUs       string
	clientCPUs       string
	profileDir       string
	writePath        string
	rawPath          string
	binDir           string
	moduleDir        string
}

func main() {
	var c config
	var workloads, pairs string
	flag.IntVar(&c.reps, "reps", 3, "repetitions of every run")
	flag.DurationVar(&c.duration, "duration", 3*time.Second, "measured window of each run")
	flag.DurationVar(&c.warmup, "warmup", 500*time.Millisecond, "unmeasured load before each window")
	flag.StringVar(&workloads, "workloads", "", "comma-separated workloads (default: all): "+workloadNames())
	flag.StringVar(&pairs, "pairs", "", "comma-separated client-server pairings (default: all): "+pairNames())
	flag.IntVar(&c.serverProcs, "server-gomaxprocs", 0, "GOMAXPROCS of the servers (0: Go's default)")
	flag.IntVar(&c.clientProcs, "client-gomaxprocs", 0, "GOMAXPROCS of the clients (0: Go's default)")
	flag.StringVar(&c.serverCPUs, "server-cpus", "", "pin the servers to these CPUs (taskset -c list, e.g. 0)")
	flag.StringVar(&c.clientCPUs, "client-cpus", "", "pin the clients to these CPUs (taskset -c list, e.g. 1)")
	flag.StringVar(&c.profileDir, "profile", "", "write CPU and allocation profiles of every process into this directory")
	flag.StringVar(&c.writePath, "write", "", "also write the report into this markdown file (BENCHMARKS.md)")
	flag.StringVar(&c.rawPath, "raw", "", "also write every run's JSON result, one per line, to this file")
	flag.StringVar(&c.binDir, "bindir", "", "build the programs here (default: a temporary directory)")
	flag.StringVar(&c.moduleDir, "C", "", "the bench module's directory (default: found from the working directory)")
	flag.Parse()

	var err error
	if c.workloads, err = parseWorkloads(workloads); err == nil {
		c.pairs, err = parsePairs(pairs)
	}
	if err == nil && c.reps < 1 {
		err = fmt.Errorf("-reps %d: want at least 1", c.reps)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(2)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	dir, err := findModuleDir(c.moduleDir)
	if err != nil {
		return err
	}
	c.moduleDir = dir
	if c.binDir == "" {
		tmp, err := os.MkdirTemp("", "benchreport")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		c.binDir = tmp
	}
	if c.profileDir != "" {
		if err := os.MkdirAll(c.profileDir, 0o755); err != nil {
			return err
		}
	}
	if err := build(c); err != nil {
		return err
	}

	// Stop the servers on ^C too, so that they write their profiles.
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(interrupted)

	servers := map[string]*serverProc{}
	defer func() {
		for _, s := range servers {
			if err := s.stop(); err != nil {
				fmt.Fprintln(os.Stderr, "benchreport:", err)
			}
		}
	}()
	for _, p := range c.pairs {
		if servers[p.server] != nil {
			continue
		}
		s, err := startServer(c, p.server)
		if err != nil {
			return err
		}
		servers[p.server] = s
	}

	for _, s := range servers {
		if s.gBefore, err = s.goroutines(); err != nil {
			return err
		}
	}
	started := time.Now()
	results, err := runAll(c, servers, interrupted)
	if err != nil {
		return err
	}
	rep := newReport(c, results, time.Since(started))
	rep.servers = servers
	md := rep.markdown()
	fmt.Print(md)
	if c.rawPath != "" {
		if err := writeRaw(c.rawPath, results); err != nil {
			return err
		}
	}
	if c.writePath != "" {
		if err := writeInto(c.writePath, md); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "benchreport: wrote", c.writePath)
	}
	return nil
}

func workloadNames() string {
	var names []string
	for _, w := range harness.Workloads {
		names = append(names, w.Name)
	}
	return strings.Join(names, ",")
}

func parseWorkloads(s string) ([]harness.Workload, error) {
	if s == "" {
		return harness.Workloads, nil
	}
	var ws []harness.Workload
	for name := range strings.SplitSeq(s, ",") {
		w, err := harness.LookupWorkload(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}
