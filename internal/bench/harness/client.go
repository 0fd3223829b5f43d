package harness

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// ClientFlags are the flags of the benchmark clients.
type ClientFlags struct {
	Addr     string
	Admin    string
	Workload string
	Duration time.Duration
	Warmup   time.Duration
	ProcessFlags
}

// Register adds the flags to fs.
func (f *ClientFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Addr, "addr", "127.0.0.1:50051", "BenchmarkService server address")
	fs.StringVar(&f.Admin, "admin", "", "the server's admin endpoint (host:port); empty: no server-side costs")
	fs.StringVar(&f.Workload, "workload", Workloads[0].Name, "workload to run")
	fs.DurationVar(&f.Duration, "duration", 3*time.Second, "length of the measured window")
	fs.DurationVar(&f.Warmup, "warmup", 500*time.Millisecond, "load before the measured window, not measured")
	f.register(fs)
}

// CallFunc makes one operation of a workload: a unary call, a ping-pong round trip on the
// caller's stream, or one message received from it. Each caller has its own.
type CallFunc func(ctx context.Context) error

// NewCaller makes one caller's CallFunc. For a streaming workload it opens the caller's
// stream with ctx, which RunClient cancels when the run ends.
type NewCaller func(ctx context.Context, w Workload) (CallFunc, error)

// Result is what a client reports about one run, as one JSON line on stdout.
type Result struct {
	Client     string   `json:"client"`
	Workload   Workload `json:"workload"`
	Seconds    float64  `json:"seconds"`
	Ops        int64    `json:"ops"`
	OpsPerSec  float64  `json:"ops_per_sec"`
	P50Micros  float64  `json:"p50_us"`
	P99Micros  float64  `json:"p99_us"`
	Errors     int64    `json:"errors"`
	FirstError string   `json:"first_error,omitempty"`
	ClientCost Cost     `json:"client_cost"`
	ServerCost *Cost    `json:"server_cost,omitempty"`
}

// caller is one closed-loop caller's own state; nothing in it is shared while running.
type caller struct {
	hist     Histogram
	ops      int64
	errs     int64
	firstErr error
}

// RunClient drives the workload f.Workload: its callers each run one operation, wait for
// it to end, and run the next, for f.Warmup and then for the measured f.Duration. newCall
// is called once per caller before the load starts (streaming workloads open their
// streams there). Only operations started inside the window count. When the window ends
// the callers stop and ctx is cancelled, which ends their streams; failures after that do
// not count. Server-side costs come from the admin endpoint, read at both edges of the
// window.
func RunClient(ctx context.Context, f ClientFlags, client string, newCall NewCaller) (Result, error) {
	f.apply()
	w, err := LookupWorkload(f.Workload)
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	callers := make([]*caller, w.Callers)
	calls := make([]CallFunc, w.Callers)
	for i := range callers {
		callers[i] = new(caller)
		if calls[i], err = newCall(ctx, w); err != nil {
			return Result{}, fmt.Errorf("caller %d of %s: %w", i, w.Name, err)
		}
	}
	var measuring, stop atomic.Bool
	var wg sync.WaitGroup
	for i, c := range callers {
		call := calls[i]
		wg.Go(func() {
			for !stop.Load() {
				m := measuring.Load()
				t0 := time.Now()
				err := call(ctx)
				d := time.Since(t0)
				switch {
				case err != nil && stop.Load():
					return // the run ended under it
				case err != nil:
					c.errs++
					if c.firstErr == nil {
						c.firstErr = err
					}
					if w.Streaming() {
						return // a broken stream stays broken
					}
				case m:
					c.hist.Record(d)
					c.ops++
				}
			}
		})
	}

	time.Sleep(f.Warmup)
	var s1, s2 Snapshot
	var serr error
	if f.Admin != "" {
		s1, serr = FetchStats(f.Admin)
	}
	c1 := TakeSnapshot(0)
	prof, err := startRecording(f.ProcessFlags)
	t1 := time.Now()
	measuring.Store(true)
	if err == nil {
		time.Sleep(f.Duration)
	}
	measuring.Store(false)
	elapsed := time.Since(t1)
	c2 := TakeSnapshot(0)
	err = errors.Join(err, prof.stop())
	if f.Admin != "" && serr == nil {
		s2, serr = FetchStats(f.Admin)
	}
	stop.Store(true)
	cancel()
	wg.Wait()
	err = errors.Join(err, serr, writeMemProfile(f.MemProfile))

	var h Histogram
	r := Result{Client: client, Workload: w, Seconds: elapsed.Seconds()}
	for _, c := range callers {
		h.Merge(&c.hist)
		r.Ops += c.ops
		r.Errors += c.errs
		if c.firstErr != nil && r.FirstError == "" {
			r.FirstError = c.firstErr.Error()
		}
	}
	r.OpsPerSec = float64(r.Ops) / elapsed.Seconds()
	r.P50Micros = float64(h.Quantile(0.50)) / float64(time.Microsecond)
	r.P99Micros = float64(h.Quantile(0.99)) / float64(time.Microsecond)
	r.ClientCost = CostBetween(c1, c2, r.Ops)
	if f.Admin != "" && serr == nil {
		sc := CostBetween(s1, s2, 0)
		r.ServerCost = &sc
	}
	return r, err
}

// PrintResult writes r as one JSON line on stdout.
func PrintResult(r Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Printf("%s\n", b)
	return err
}

// FetchStats reads a benchmark server's counters from its admin endpoint (host:port).
func FetchStats(admin string) (Snapshot, error) {
	resp, err := http.Get("http://" + admin + "/stats")
	if err != nil {
		return Snapshot{}, fmt.Errorf("server stats: %w", err)
	}
	defer resp.Body.Close()
	var s Snapshot
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("server stats: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return s, fmt.Errorf("server stats: %w", err)
	}
	return s, nil
}
