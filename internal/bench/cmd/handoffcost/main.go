// Command handoffcost measures what one goroutine hand-off per round trip costs a 1 KiB
// ping-pong over loopback TCP between two processes, with no HTTP/2 and no gRPC: the floor
// under the one-caller and one-stream benchmark cells.
//
// Each side either does its socket I/O on the goroutine that handles the message (no
// hand-off), or passes each message through a channel to another goroutine, as an RPC
// runtime does: a server hands a request from its reader to a handler (and that to a
// writer), a client hands a response from its reader to the caller. It prints a markdown
// table of round trips per second, the median of -reps runs, and each row's ratio to the
// row with no hand-off at all.
//
//	go run ./cmd/handoffcost                       # about 30 s
//	go run ./cmd/handoffcost -duration 1s -reps 1  # a quick look
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"
)

// variant is one row of the table: how each side moves a message between goroutines.
type variant struct {
	name          string
	serverHandoff int // goroutines a request passes through after the reader: 0, 1 (handler) or 2 (handler, writer)
	clientHandoff bool
	gomaxprocs    int // 0: the machine's default
}

var variants = []variant{
	{name: "no hand-off"},
	{name: "server: reader → handler", serverHandoff: 1},
	{name: "server: reader → handler → writer", serverHandoff: 2},
	{name: "client: reader → caller", clientHandoff: true},
	{name: "both: reader → handler; reader → caller", serverHandoff: 1, clientHandoff: true},
	{name: "no hand-off, GOMAXPROCS=1", gomaxprocs: 1},
	{name: "both hand-offs, GOMAXPROCS=1", serverHandoff: 1, clientHandoff: true, gomaxprocs: 1},
}

func main() {
	serve := flag.Int("serve", -1, "run as the server with this many hand-offs (used by the command itself)")
	call := flag.String("call", "", "run as the client against this address (used by the command itself)")
	handoff := flag.Bool("handoff", false, "client: hand each response from a reader goroutine to the caller")
	duration := flag.Duration("duration", 2*time.Second, "length of each run")
	reps := flag.Int("reps", 3, "runs per row; the table shows the median")
	flag.Parse()
	var err error
	switch {
	case *serve >= 0:
		err = runServer(*serve)
	case *call != "":
		err = runClient(*call, *handoff, *duration)
	default:
		err = runTable(*duration, *reps)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "handoffcost:", err)
		os.Exit(1)
	}
}

// runTable runs every variant reps times, each in a fresh server and client process.
func runTable(duration time.Duration, reps int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("| hand-offs per round trip | round trips/s (median of %d) | ratio to no hand-off |\n|---|---:|---:|\n", reps)
	var base float64
	for i, v := range variants {
		var runs []float64
		for range reps {
			rate, err := runPair(self, v, duration)
			if err != nil {
				return fmt.Errorf("%s: %w", v.name, err)
			}
			runs = append(runs, rate)
		}
		slices.Sort(runs)
		median := runs[len(runs)/2]
		if i == 0 {
			base = median
		}
		fmt.Printf("| %s | %.0f | %.2f |\n", v.name, median, median/base)
	}
	return nil
}

// runPair starts a server process and a client process for v and returns the client's rate.
func runPair(self string, v variant, duration time.Duration) (float64, error) {
	srv := exec.Command(self, "-serve", fmt.Sprint(v.serverHandoff))
	srv.Env = withGOMAXPROCS(v.gomaxprocs)
	out, err := srv.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := srv.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	var addr string
	if _, err := fmt.Fscan(out, &addr); err != nil {
		return 0, fmt.Errorf("reading the server's address: %w", err)
	}
	cli := exec.Command(self, "-call", addr, fmt.Sprintf("-handoff=%t", v.clientHandoff), "-duration", duration.String())
	cli.Env = withGOMAXPROCS(v.gomaxprocs)
	cli.Stderr = os.Stderr
	res, err := cli.Output()
	if err != nil {
		return 0, err
	}
	var rate float64
	_, err = fmt.Sscan(string(res), &rate)
	return rate, err
}

func withGOMAXPROCS(n int) []string {
	env := os.Environ()
	if n > 0 {
		env = append(env, fmt.Sprintf("GOMAXPROCS=%d", n))
	}
	return env
}
