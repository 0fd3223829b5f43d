package main

import (
	"strings"
	"testing"
	"time"

	"github.com/actorrpc/actorrpc/internal/bench/harness"
)

// fakeSamples gives every pairing one run of every workload: ours at twice grpc-go's ops/s.
func fakeSamples(ws []harness.Workload) []sample {
	var out []sample
	for _, w := range ws {
		for _, p := range allPairs {
			ops := 1000.0
			if p.client == actorrpc && p.server == actorrpc {
				ops = 2000
			}
			out = append(out, sample{rep: 1, workload: w.Name, pair: p, result: harness.Result{
				Workload: w, OpsPerSec: ops, P50Micros: 3.4, P99Micros: 12_345,
				ClientCost: harness.Cost{Allocs: 20, Writes: 0.5},
				ServerCost: &harness.Cost{Allocs: 10, Writes: 0.5},
			}})
		}
	}
	return out
}

func TestReportCoversStreamingWorkloads(t *testing.T) {
	var ws []harness.Workload
	for _, name := range []string{"unary-0B-c64", "bidi-pingpong-1KiB-c1", "server-stream-1KiB-c1"} {
		w, err := harness.LookupWorkload(name)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	c := config{reps: 1, duration: time.Second, workloads: ws, pairs: allPairs}
	md := newReport(c, fakeSamples(ws), time.Minute).markdown()
	for _, want := range []string{
		"| bidi-pingpong-1KiB-c1 | actorrpc → actorrpc | 2,000 (2,000–2,000) | 2.00× (2.00–2.00) | 3.4 | 12,345 |",
		"| server-stream-1KiB-c1 | grpcgo → grpcgo | 1,000 (1,000–1,000) = 1 MiB/s | 1.00× |",
		"| bidi-pingpong-1KiB-c1 | 2.00× met | 1.00× **missed** | 1.00× **missed** | 30 / 30 (per round trip, not a target) |",
		"| server-stream-1KiB-c1 | 2.00× met |",
		"(per message, not a target)",
		"| unary-0B-c64 | 2.00× met | 1.00× **missed** | 1.00× **missed** | 30 / 30 met |",
		"Write syscalls per RPC, actorrpc → actorrpc, unary-0B-c64",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "Write syscalls per RPC, actorrpc → actorrpc, bidi") {
		t.Error("the write-syscall target (per RPC) is checked on a streaming workload")
	}
}

// TestRatioIsPairedByRepetition: a ratio is the median of the ratios within each
// repetition, so that a slow stretch of the machine during one repetition does not turn
// into a ratio of medians taken from different moments.
func TestRatioIsPairedByRepetition(t *testing.T) {
	w, err := harness.LookupWorkload("unary-1KiB-c1")
	if err != nil {
		t.Fatal(err)
	}
	ours := pair{actorrpc, actorrpc}
	var samples []sample
	for rep, ops := range []struct{ base, ours float64 }{{5800, 7014}, {5694, 5196}, {4125, 5193}} {
		samples = append(samples,
			sample{rep: rep + 1, workload: w.Name, pair: baseline, result: harness.Result{Workload: w, OpsPerSec: ops.base, ServerCost: &harness.Cost{}}},
			sample{rep: rep + 1, workload: w.Name, pair: ours, result: harness.Result{Workload: w, OpsPerSec: ops.ours, ServerCost: &harness.Cost{}}})
	}
	c := config{reps: 3, duration: time.Second, workloads: []harness.Workload{w}, pairs: []pair{baseline, ours}}
	r := newReport(c, samples, time.Minute)
	got := r.ratioStat(w.Name, ours)
	// per repetition: 1.209, 0.913, 1.259; the ratio of the medians would be 5196/5694 = 0.91
	if got.med < 1.20 || got.med > 1.22 || got.min > 0.92 || got.max < 1.25 {
		t.Errorf("got ratio %.3f (%.3f–%.3f); want the median of the per-repetition ratios, 1.209 (0.913–1.259)", got.med, got.min, got.max)
	}
}
