package interop

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// SoakConfig configures rpc_soak and channel_soak (grpc-go's interop.SoakTestConfig).
type SoakConfig struct {
	// RequestSize and ResponseSize are the payload sizes of each UnaryCall.
	RequestSize, ResponseSize int
	// PerIterationMaxAcceptableLatency makes a slower iteration count as a failure.
	PerIterationMaxAcceptableLatency time.Duration
	// MinTimeBetweenRPCs is the least time from one iteration's start to the next's, per worker.
	MinTimeBetweenRPCs time.Duration
	// OverallTimeout stops the test; iterations not run by then make it fail.
	OverallTimeout time.Duration
	// ServerAddr is printed with each iteration.
	ServerAddr string
	// NumWorkers run the iterations concurrently, Iterations/NumWorkers each.
	NumWorkers int
	// Iterations is the total number of calls.
	Iterations int
	// MaxFailures is how many iterations may fail with the test still passing.
	MaxFailures int
	// Log receives one line per iteration and a summary; nil discards them.
	Log io.Writer
}

// newClientFunc returns the client for one iteration and a function releasing it.
type newClientFunc func() (testpb.TestServiceClient, func(), error)

// DoRPCSoak is rpc_soak: cfg.Iterations large unary calls, all on tc.
func DoRPCSoak(ctx context.Context, tc testpb.TestServiceClient, cfg SoakConfig) error {
	return doSoak(ctx, cfg, func() (testpb.TestServiceClient, func(), error) { return tc, func() {}, nil })
}

// DoChannelSoak is channel_soak: cfg.Iterations large unary calls, each on a new Channel
// from dial that is closed after its call.
func DoChannelSoak(ctx context.Context, dial func() (*actorrpc.Channel, error), cfg SoakConfig) error {
	return doSoak(ctx, cfg, func() (testpb.TestServiceClient, func(), error) {
		ch, err := dial()
		if err != nil {
			return nil, nil, err
		}
		return testpb.NewTestServiceClient(ch), func() { _ = ch.Close() }, nil
	})
}

// soakResults are one worker's outcomes; the worker owns them until it returns.
type soakResults struct {
	succeeded, failed int
	latencies         []time.Duration
}

// doSoak runs the workers, prints the summary and judges the outcome as grpc-go does.
func doSoak(ctx context.Context, cfg SoakConfig, newClient newClientFunc) error {
	if cfg.NumWorkers <= 0 || cfg.Iterations%cfg.NumWorkers != 0 {
		return fmt.Errorf("soak iterations (%d) must be a multiple of the soak threads (%d)", cfg.Iterations, cfg.NumWorkers)
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	cfg.Log = &lockedWriter{w: cfg.Log}
	ctx, cancel := context.WithTimeout(ctx, cfg.OverallTimeout)
	defer cancel()
	start := time.Now()
	results := make([]soakResults, cfg.NumWorkers)
	var wg sync.WaitGroup
	for id := range results {
		wg.Go(func() { soakWorker(ctx, cfg, start, id, newClient, &results[id]) })
	}
	wg.Wait()
	return judgeSoak(cfg, results)
}

// soakWorker runs one worker's share of the iterations, until they are done or the
// overall timeout has passed.
func soakWorker(ctx context.Context, cfg SoakConfig, start time.Time, id int, newClient newClientFunc, res *soakResults) {
	for i := range cfg.Iterations / cfg.NumWorkers {
		if ctx.Err() != nil || time.Since(start) >= cfg.OverallTimeout {
			fmt.Fprintf(cfg.Log, "Worker %d: test exceeded overall timeout of %v, stopping...\n", id, cfg.OverallTimeout)
			return
		}
		earliestNextStart := time.NewTimer(cfg.MinTimeBetweenRPCs)
		latency, err := soakIteration(ctx, cfg, newClient)
		if err == nil && latency > cfg.PerIterationMaxAcceptableLatency {
			err = fmt.Errorf("exceeds max acceptable latency: %d", cfg.PerIterationMaxAcceptableLatency.Milliseconds())
		}
		if err != nil {
			res.failed++
			fmt.Fprintf(cfg.Log, "Worker %d: soak iteration: %d elapsed_ms: %d server_uri: %s failed: %v\n", id, i, latency.Milliseconds(), cfg.ServerAddr, err)
		} else {
			res.succeeded++
			res.latencies = append(res.latencies, latency)
			fmt.Fprintf(cfg.Log, "Worker %d: soak iteration: %d elapsed_ms: %d server_uri: %s succeeded\n", id, i, latency.Milliseconds(), cfg.ServerAddr)
		}
		select {
		case <-earliestNextStart.C:
		case <-ctx.Done():
			earliestNextStart.Stop()
		}
	}
}

// soakIteration makes one large unary call on a client from newClient and returns its
// latency. As in grpc-go, the clock starts after the client is made; Dial is lazy, so for
// channel_soak the latency includes connecting.
func soakIteration(ctx context.Context, cfg SoakConfig, newClient newClientFunc) (time.Duration, error) {
	tc, release, err := newClient()
	if err != nil {
		return 0, fmt.Errorf("creating the channel: %w", err)
	}
	defer release()
	start := time.Now()
	err = largeUnary(ctx, tc, cfg.RequestSize, cfg.ResponseSize)
	return time.Since(start), err
}

// judgeSoak prints the summary and fails if iterations are missing or too many failed.
func judgeSoak(cfg SoakConfig, results []soakResults) error {
	var succeeded, failed int
	var latencies []time.Duration
	for _, r := range results {
		succeeded += r.succeeded
		failed += r.failed
		latencies = append(latencies, r.latencies...)
	}
	fmt.Fprintf(cfg.Log, "(server_uri: %s) soak test successes: %d / %d iterations. Total failures: %d. Latencies: %s\n",
		cfg.ServerAddr, succeeded, cfg.Iterations, failed, latencySummary(latencies))
	if ran := succeeded + failed; ran != cfg.Iterations {
		return fmt.Errorf("soak test consumed all %v of time and quit early, ran %d out of %d iterations", cfg.OverallTimeout, ran, cfg.Iterations)
	}
	if failed > cfg.MaxFailures {
		return fmt.Errorf("soak test total failures: %d exceeded max failures threshold: %d", failed, cfg.MaxFailures)
	}
	return nil
}

// latencySummary describes successful iterations' latencies by percentile.
func latencySummary(ls []time.Duration) string {
	if len(ls) == 0 {
		return "none"
	}
	slices.Sort(ls)
	at := func(p int) time.Duration { return ls[(len(ls)-1)*p/100] }
	return fmt.Sprintf("min %v, p50 %v, p90 %v, p99 %v, max %v", ls[0], at(50), at(90), at(99), ls[len(ls)-1])
}

// lockedWriter serialises the workers' lines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
