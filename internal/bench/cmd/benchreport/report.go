package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/actorrpc/actorrpc/internal/bench/harness"
)

// stat is the median and spread of one measure over a cell's repetitions.
type stat struct{ med, min, max float64 }

func statOf(xs []float64) stat {
	if len(xs) == 0 {
		return stat{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stat{med: m, min: s[0], max: s[len(s)-1]}
}

// cell is one workload × pairing: the medians over its successful runs.
type cell struct {
	runs, failed                int
	ops, p50, p99               stat
	cliAllocs, cliBytes, cliCPU stat
	srvAllocs, srvBytes, srvCPU stat
	cliWrites, srvWrites        stat
	firstErr                    error
	// opsByRep is each successful run's throughput, by repetition (for paired ratios).
	opsByRep map[int]float64
}

type key struct {
	workload string
	pair     pair
}

type report struct {
	c       config
	cells   map[key]*cell
	elapsed time.Duration
	servers map[string]*serverProc // for their goroutine counts
}

func newReport(c config, samples []sample, elapsed time.Duration) *report {
	r := &report{c: c, cells: map[key]*cell{}, elapsed: elapsed}
	byKey := map[key][]harness.Result{}
	for _, s := range samples {
		k := key{s.workload, s.pair}
		if r.cells[k] == nil {
			r.cells[k] = &cell{}
		}
		if s.err == nil {
			if r.cells[k].opsByRep == nil {
				r.cells[k].opsByRep = map[int]float64{}
			}
			r.cells[k].opsByRep[s.rep] = s.result.OpsPerSec
		}
		if s.err != nil {
			r.cells[k].failed++
			if r.cells[k].firstErr == nil {
				r.cells[k].firstErr = s.err
			}
			continue
		}
		byKey[k] = append(byKey[k], s.result)
	}
	for k, rs := range byKey {
		col := func(f func(harness.Result) float64) stat {
			var xs []float64
			for _, r := range rs {
				xs = append(xs, f(r))
			}
			return statOf(xs)
		}
		c := r.cells[k]
		c.runs = len(rs)
		c.ops = col(func(r harness.Result) float64 { return r.OpsPerSec })
		c.p50 = col(func(r harness.Result) float64 { return r.P50Micros })
		c.p99 = col(func(r harness.Result) float64 { return r.P99Micros })
		c.cliAllocs = col(func(r harness.Result) float64 { return r.ClientCost.Allocs })
		c.cliBytes = col(func(r harness.Result) float64 { return r.ClientCost.Bytes })
		c.cliCPU = col(func(r harness.Result) float64 { return r.ClientCost.CPUMicros })
		c.cliWrites = col(func(r harness.Result) float64 { return r.ClientCost.Writes })
		c.srvAllocs = col(func(r harness.Result) float64 { return r.ServerCost.Allocs })
		c.srvBytes = col(func(r harness.Result) float64 { return r.ServerCost.Bytes })
		c.srvCPU = col(func(r harness.Result) float64 { return r.ServerCost.CPUMicros })
		c.srvWrites = col(func(r harness.Result) float64 { return r.ServerCost.Writes })
	}
	return r
}

// ratio is a cell's throughput over the baseline's on the same workload: the median, over
// the repetitions where both ran, of the ratio within the repetition (its pairings run back
// to back, so a slow stretch of a shared machine weighs on both sides of a ratio). Zero if
// no repetition has both.
func (r *report) ratio(w string, p pair) float64 { return r.ratioStat(w, p).med }

// ratioStat is ratio with its spread over the repetitions.
func (r *report) ratioStat(w string, p pair) stat {
	c, b := r.cells[key{w, p}], r.cells[key{w, baseline}]
	if c == nil || b == nil {
		return stat{}
	}
	var xs []float64
	for rep, ops := range c.opsByRep {
		if base := b.opsByRep[rep]; base > 0 {
			xs = append(xs, ops/base)
		}
	}
	return statOf(xs)
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("Run %s UTC on %s; %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04"), machine(), r.settings())
	p("Medians of %d run(s) per cell, spread (min–max) in brackets. A ratio compares a cell "+
		"with grpc-go → grpc-go on the same workload within one repetition, where the four "+
		"pairings run back to back; the table gives the median of those ratios over the "+
		"repetitions (a paired comparison: a slow stretch of this shared machine weighs on "+
		"both sides of a ratio), and their spread. An op is one RPC for the "+
		"unary workloads, one round trip (a request and its response) on a stream for "+
		"bidi-pingpong, and one message received by the client for server-stream; ops/s, "+
		"latencies and every cost per op follow that (so for server-stream, per message, and "+
		"p50/p99 are the gaps between messages). Costs are measured "+
		"inside each process over the measured window: heap allocations and bytes "+
		"(runtime.MemStats), CPU time (getrusage, user+system), write syscalls (syscw in "+
		"/proc/self/io); \"cli / srv\" is client / server; the server divides by the ops it "+
		"counted itself (RPCs answered, ping-pong responses, stream messages sent). The "+
		"client's figures include the load generator's own (small, allocation-free) loop.\n\n", r.c.reps)
	p("| workload | client → server | ops/s (min–max) | × grpc-go | p50 µs | p99 µs | allocs/op cli / srv | B/op cli / srv | CPU µs/op cli / srv | writes/op cli / srv |\n")
	p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, w := range r.c.workloads {
		for _, pr := range r.c.pairs {
			c := r.cells[key{w.Name, pr}]
			if c == nil {
				continue
			}
			if c.runs == 0 {
				p("| %s | %s | failed (%d runs): %s | | | | | | | |\n", w.Name, pr, c.failed, oneLine(c.firstErr))
				continue
			}
			ops := fmt.Sprintf("%s (%s–%s)", num(c.ops.med), num(c.ops.min), num(c.ops.max))
			if w.ReqSize+w.RespSize >= 1<<20 || w.Kind == harness.ServerStream {
				ops += fmt.Sprintf(" = %.0f MiB/s", c.ops.med*float64(w.ReqSize+w.RespSize)/(1<<20))
			}
			if c.failed > 0 {
				ops += fmt.Sprintf(" (%d failed)", c.failed)
			}
			ratio := "–"
			if x := r.ratioStat(w.Name, pr); x.med > 0 && pr == baseline {
				ratio = "1.00×"
			} else if x.med > 0 {
				ratio = fmt.Sprintf("%.2f× (%.2f–%.2f)", x.med, x.min, x.max)
			}
			p("| %s | %s | %s | %s | %s | %s | %.0f / %.0f | %s / %s | %.1f / %.1f | %s / %s |\n",
				w.Name, pr, ops, ratio, num(c.p50.med), num(c.p99.med),
				c.cliAllocs.med, c.srvAllocs.med, num(c.cliBytes.med), num(c.srvBytes.med),
				c.cliCPU.med, c.srvCPU.med, writes(c.cliWrites.med), writes(c.srvWrites.med))
		}
	}
	p("\n%s", r.targets())
	p("\nWorkloads: ")
	for i, w := range r.c.workloads {
		if i > 0 {
			p("; ")
		}
		p("`%s`: %s", w.Name, w.About)
	}
	p(".\n")
	if g := r.goroutines(); g != "" {
		p("\n%s\n", g)
	}
	return b.String()
}

// targets checks issue 7's targets against the medians.
func (r *report) targets() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	p("Targets (issue 7), from the median ratios above:\n\n")
	p("| workload | actorrpc → actorrpc ≥ 1.2× | grpcgo → actorrpc ≥ 1.2× | actorrpc → grpcgo ≥ 1.1× | allocs per op (cli+srv) actorrpc / grpc-go, target ≤ 70 per unary round trip |\n")
	p("|---|---|---|---|---|\n")
	for _, w := range r.c.workloads {
		row := "| " + w.Name
		for _, t := range []struct {
			p    pair
			goal float64
		}{{pair{actorrpc, actorrpc}, 1.2}, {pair{grpcgo, actorrpc}, 1.2}, {pair{actorrpc, grpcgo}, 1.1}} {
			if x := r.ratio(w.Name, t.p); x > 0 {
				row += fmt.Sprintf(" | %.2f× %s", x, mark(x >= t.goal))
			} else {
				row += " | –"
			}
		}
		ours, theirs := r.cells[key{w.Name, pair{actorrpc, actorrpc}}], r.cells[key{w.Name, baseline}]
		switch {
		case ours == nil || ours.runs == 0:
			row += " | –"
		case w.ReqSize+w.RespSize >= 1<<20:
			row += fmt.Sprintf(" | %.0f (not a target at 1 MiB)", ours.cliAllocs.med+ours.srvAllocs.med)
		case w.Streaming():
			row += fmt.Sprintf(" | %.0f", ours.cliAllocs.med+ours.srvAllocs.med)
			if theirs != nil && theirs.runs > 0 {
				row += fmt.Sprintf(" / %.0f", theirs.cliAllocs.med+theirs.srvAllocs.med)
			}
			row += " (per " + opName(w) + ", not a target)"
		default:
			a := ours.cliAllocs.med + ours.srvAllocs.med
			row += fmt.Sprintf(" | %.0f", a)
			if theirs != nil && theirs.runs > 0 {
				row += fmt.Sprintf(" / %.0f", theirs.cliAllocs.med+theirs.srvAllocs.med)
			}
			row += " " + mark(a <= 70)
		}
		p("%s |\n", row)
	}
	for _, w := range r.c.workloads {
		if w.Kind != harness.Unary || w.Callers < 64 || w.ReqSize+w.RespSize >= 1<<20 {
			continue
		}
		c := r.cells[key{w.Name, pair{actorrpc, actorrpc}}]
		if c == nil || c.runs == 0 || c.cliWrites.med < 0 {
			continue
		}
		p("\nWrite syscalls per RPC, actorrpc → actorrpc, %s: client %.2f, server %.2f (target ≤ 1.2 per side): %s.",
			w.Name, c.cliWrites.med, c.srvWrites.med, mark(c.cliWrites.med <= 1.2 && c.srvWrites.med <= 1.2))
	}
	p("\n")
	return b.String()
}

// opName is what one op of w is, for the text.
func opName(w harness.Workload) string {
	switch w.Kind {
	case harness.PingPong:
		return "round trip"
	case harness.ServerStream:
		return "message"
	}
	return "RPC"
}

// goroutines reports each server's goroutine count once each client had exited: a count
// that kept growing from the first run to the last means calls or streams that outlived
// their client.
func (r *report) goroutines() string {
	var parts []string
	grew := false
	for _, rt := range []string{actorrpc, grpcgo} {
		s := r.servers[rt]
		if s == nil || s.gRuns == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d before the first run, %d after it, %d after the last (at most %d)",
			rt, s.gBefore, s.gFirst, s.gLast, s.gMax))
		grew = grew || s.gLast > s.gFirst
	}
	if len(parts) == 0 {
		return ""
	}
	verdict := "none left behind"
	if grew {
		verdict = "**grew: calls or streams outlived their clients**"
	}
	return "Server goroutines once each client process had exited: " + strings.Join(parts, "; ") + " (" + verdict + ")."
}

func (r *report) settings() string {
	s := fmt.Sprintf("%s per run after %s warm-up", r.c.duration, r.c.warmup)
	procs := func(n int) string {
		if n == 0 {
			return "default"
		}
		return fmt.Sprint(n)
	}
	s += fmt.Sprintf(", GOMAXPROCS server %s / client %s", procs(r.c.serverProcs), procs(r.c.clientProcs))
	if r.c.serverCPUs != "" || r.c.clientCPUs != "" {
		s += fmt.Sprintf(", pinned: server CPUs %q, client CPUs %q", r.c.serverCPUs, r.c.clientCPUs)
	} else {
		s += ", not pinned"
	}
	s += fmt.Sprintf(", whole report %s", r.elapsed.Round(time.Second))
	if rev := revision(r.c.moduleDir); rev != "" {
		s += ", actorrpc at " + rev
	}
	return s
}

// machine describes the CPU, the kernel and the Go toolchain.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	s := fmt.Sprintf("%d CPUs (nproc), %s, %s/%s", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH)
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		s += " (Linux " + strings.TrimSpace(string(b)) + ")"
	}
	return s + ", " + runtime.Version()
}

// revision is the repository's commit, with "-dirty" if the work tree has changes.
func revision(dir string) string {
	out, err := exec.Command("git", "-C", dir, "describe", "--always", "--dirty", "--abbrev=12").Output()
	if err != nil {
		return ""
	}
	return "commit " + strings.TrimSpace(string(out))
}

func num(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	if x < 10 {
		s = fmt.Sprintf("%.1f", x)
	}
	// Group thousands for reading: 1234567 → 1,234,567.
	intPart, frac, _ := strings.Cut(s, ".")
	var g []string
	for len(intPart) > 3 {
		g = append([]string{intPart[len(intPart)-3:]}, g...)
		intPart = intPart[:len(intPart)-3]
	}
	g = append([]string{intPart}, g...)
	s = strings.Join(g, ",")
	if frac != "" {
		s += "." + frac
	}
	return s
}

func writes(x float64) string {
	if x < 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}

func oneLine(err error) string {
	if err == nil {
		return ""
	}
	s := strings.ReplaceAll(err.Error(), "\n", " ")
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

const (
	beginMarker = "<!-- benchreport:begin -->"
	endMarker   = "<!-- benchreport:end -->"
)

// writeInto replaces the text between the markers in path with md, or writes a new file.
func writeInto(path, md string) error {
	block := beginMarker + "\n" + md + endMarker
	old, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
		return os.WriteFile(path, []byte("# Benchmarks\n\n"+block+"\n"), 0o644)
	case err != nil:
		return err
	}
	s := string(old)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s block to replace", path, beginMarker, endMarker)
	}
	return os.WriteFile(path, []byte(s[:i]+block+s[j+len(endMarker):]), 0o644)
}
