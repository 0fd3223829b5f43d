package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/actorrpc/actorrpc/internal/bench/harness"
)

const modulePath = "github.com/actorrpc/actorrpc/internal/bench"

// findModuleDir returns dir if given, else the bench module's directory found from the
// working directory: itself or an ancestor, or internal/bench below it.
func findModuleDir(dir string) (string, error) {
	isBench := func(d string) bool {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		return err == nil && strings.HasPrefix(string(b), "module "+modulePath+"\n")
	}
	if dir != "" {
		if !isBench(dir) {
			return "", fmt.Errorf("%s is not the %s module", dir, modulePath)
		}
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if d := filepath.Join(wd, "internal", "bench"); isBench(d) {
		return d, nil
	}
	for d := wd; ; d = filepath.Dir(d) {
		if isBench(d) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("cannot find the %s module from %s; use -C", modulePath, wd)
		}
	}
}

func program(role, runtime string) string { return "bench-" + role + "-" + runtime }

// build compiles the four programs into c.binDir.
func build(c config) error {
	for _, role := range []string{"server", "client"} {
		for _, rt := range []string{actorrpc, grpcgo} {
			name := program(role, rt)
			cmd := exec.Command("go", "build", "-o", filepath.Join(c.binDir, name), "./cmd/"+name)
			cmd.Dir = c.moduleDir
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("go build ./cmd/%s: %v\n%s", name, err, out)
			}
		}
	}
	return nil
}

// command runs bin with args, pinned to cpus with taskset if cpus is set.
func command(ctx context.Context, cpus, bin string, args ...string) *exec.Cmd {
	if cpus != "" {
		return exec.CommandContext(ctx, "taskset", append([]string{"-c", cpus, bin}, args...)...)
	}
	return exec.CommandContext(ctx, bin, args...)
}

// serverProc is a running benchmark server.
type serverProc struct {
	name        string
	cmd         *exec.Cmd
	addr, admin string
	stderr      bytes.Buffer
	exited      chan error

	// Goroutine counts: before the first run, and once each client had exited (the
	// first, the last and the most).
	gBefore, gFirst, gLast, gMax, gRuns int
}

func startServer(c config, rt string) (*serverProc, error) {
	args := []string{"-addr", "127.0.0.1:0", "-admin", "127.0.0.1:0", "-gomaxprocs", fmt.Sprint(c.serverProcs)}
	if c.profileDir != "" {
		args = append(args,
			"-cpuprofile", filepath.Join(c.profileDir, "server-"+rt+".cpu.pprof"),
			"-memprofile", filepath.Join(c.profileDir, "server-"+rt+".mem.pprof"))
	}
	s := &serverProc{name: program("server", rt), exited: make(chan error, 1)}
	s.cmd = command(context.Background(), c.serverCPUs, filepath.Join(c.binDir, s.name), args...)
	dieWithParent(s.cmd)
	s.cmd.Stderr = &s.stderr
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", s.name, err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			ready <- sc.Text()
		}
		close(ready)
		_, _ = io.Copy(io.Discard, out)
		s.exited <- s.cmd.Wait()
	}()
	select {
	case line := <-ready:
		if _, err := fmt.Sscanf(line, "READY addr=%s admin=%s", &s.addr, &s.admin); err != nil {
			_ = s.cmd.Process.Kill()
			return nil, fmt.Errorf("%s said %q, not READY: %v\n%s", s.name, line, err, s.stderr.String())
		}
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		return nil, fmt.Errorf("%s did not get ready in 20s", s.name)
	}
	return s, nil
}

// stop sends SIGTERM, so the server writes its profiles, and waits for it.
func (s *serverProc) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-s.exited:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		err = errors.Join(errors.New("did not stop in 20s after SIGTERM"), <-s.exited)
	}
	if msg := strings.TrimSpace(s.stderr.String()); msg != "" {
		fmt.Fprintf(os.Stderr, "benchreport: %s: %s\n", s.name, msg)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	return nil
}

// goroutines is the server's goroutine count now.
func (s *serverProc) goroutines() (int, error) {
	st, err := harness.FetchStats(s.admin)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", s.name, err)
	}
	return st.Goroutines, nil
}

// noteGoroutines records the server's goroutine count after a client exited. The server
// may still be tearing that connection down, so it waits up to 2 s for the count to fall
// to what it was after the first run (before the first run, for the first).
func (s *serverProc) noteGoroutines() error {
	want := s.gFirst
	if s.gRuns == 0 {
		want = s.gBefore
	}
	deadline := time.Now().Add(2 * time.Second)
	n, err := s.goroutines()
	for err == nil && n > want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		n, err = s.goroutines()
	}
	if err != nil {
		return err
	}
	if s.gRuns == 0 {
		s.gFirst = n
	}
	s.gRuns++
	s.gLast, s.gMax = n, max(s.gMax, n)
	return nil
}

// sample is one run's outcome.
type sample struct {
	rep      int
	workload string
	pair     pair
	result   harness.Result
	err      error
}

// runAll runs every repetition × workload × pairing, one client process each.
func runAll(c config, servers map[string]*serverProc, interrupted <-chan os.Signal) ([]sample, error) {
	total := c.reps * len(c.workloads) * len(c.pairs)
	var out []sample
	for rep := 1; rep <= c.reps; rep++ {
		for _, w := range c.workloads {
			for _, p := range c.pairs {
				select {
				case <-interrupted:
					return nil, errors.New("interrupted")
				default:
				}
				s := sample{rep: rep, workload: w.Name, pair: p}
				s.result, s.err = runClient(c, servers[p.server], w, p, rep)
				out = append(out, s)
				if err := servers[p.server].noteGoroutines(); err != nil {
					return nil, err
				}
				if s.err != nil {
					fmt.Fprintf(os.Stderr, "[%d/%d] rep %d %-15s %-20s FAILED: %v\n", len(out), total, rep, w.Name, p, s.err)
					continue
				}
				fmt.Fprintf(os.Stderr, "[%d/%d] rep %d %-15s %-20s %9.0f ops/s  p50 %8.1f µs  p99 %8.1f µs\n",
					len(out), total, rep, w.Name, p, s.result.OpsPerSec, s.result.P50Micros, s.result.P99Micros)
			}
		}
	}
	return out, nil
}

func runClient(c config, srv *serverProc, w harness.Workload, p pair, rep int) (harness.Result, error) {
	args := []string{
		"-addr", srv.addr, "-admin", srv.admin, "-workload", w.Name,
		"-duration", c.duration.String(), "-warmup", c.warmup.String(),
		"-gomaxprocs", fmt.Sprint(c.clientProcs),
	}
	if c.profileDir != "" {
		base := filepath.Join(c.profileDir, fmt.Sprintf("client-%s-%s-r%d", p.flagName(), w.Name, rep))
		args = append(args, "-cpuprofile", base+".cpu.pprof", "-memprofile", base+".mem.pprof")
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.warmup+c.duration+time.Minute)
	defer cancel()
	cmd := command(ctx, c.clientCPUs, filepath.Join(c.binDir, program("client", p.client)), args...)
	dieWithParent(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return harness.Result{}, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var r harness.Result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		return r, fmt.Errorf("client output %q: %v", stdout.String(), err)
	}
	if r.Errors > 0 {
		return r, fmt.Errorf("%d calls failed, first: %s", r.Errors, r.FirstError)
	}
	if r.ServerCost == nil {
		return r, errors.New("no server costs: the admin endpoint did not answer")
	}
	return r, nil
}

func writeRaw(path string, samples []sample) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, s := range samples {
		rec := struct {
			Rep    int            `json:"rep"`
			Pair   string         `json:"pair"`
			Error  string         `json:"error,omitempty"`
			Result harness.Result `json:"result"`
		}{Rep: s.rep, Pair: s.pair.flagName(), Result: s.result}
		if s.err != nil {
			rec.Error = s.err.Error()
		}
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
