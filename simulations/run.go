package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing/synctest"
	"time"

	"github.com/actorrpc/actorrpc"
)

// Config says which run to make. A run is a function of it.
type Config struct {
	Seed     uint64
	Scenario string
	// Steps is how many workload steps a random scenario takes.
	Steps int
	// Workload, when not nil, replaces the scenario's steps: each byte picks one step of the
	// random mix (see runBytes); the other draws still come from the seed.
	Workload []byte
	// dropReply, a test hook, makes the client model forget a response message, so that a
	// test can show a broken invariant is caught.
	dropReply func(id, seq int) bool
	// noKeepalive, a test hook, turns keepalive off in the scenarios that use it.
	noKeepalive bool
}

// Result is what a run observed.
type Result struct {
	Config     Config
	Trace      string
	Violations []string
	Calls      int
	Codes      map[actorrpc.Code]int
}

// tick is how late a call may end after its deadline or cancellation: one scheduling tick
// of the fake clock. In a bubble timers fire exactly on time, so any lateness is a delay
// inside the runtime.
const tick = time.Millisecond

// settleTime is how long a run waits, after healing everything, for its calls to end.
const settleTime = time.Minute

// ReplayCommand is the command that replays the run.
func (c Config) ReplayCommand() string {
	return fmt.Sprintf("go run ./simulations -seed %d -scenario %s -steps %d -trace", c.Seed, c.Scenario, c.Steps)
}

// Run makes one run. It must be called inside a testing/synctest bubble (the root
// goroutine): the world's timers run on the bubble's fake clock.
func Run(cfg Config) (*Result, error) {
	sc, ok := scenarioByName(cfg.Scenario)
	if !ok {
		return nil, fmt.Errorf("unknown scenario %q (known: %s)", cfg.Scenario, strings.Join(scenarioNames(), ", "))
	}
	w := newWorld(cfg.Seed, sc.clients, tick, keepaliveScenarios[sc.name] && !cfg.noKeepalive)
	w.dropReply = cfg.dropReply
	w.model.Note("seed %d scenario %s steps %d", cfg.Seed, cfg.Scenario, cfg.Steps)
	if cfg.Workload != nil {
		w.model.Note("workload %x", cfg.Workload)
		w.runBytes(randomOps, cfg.Workload)
	} else {
		sc.run(w, cfg.Steps)
	}
	synctest.Wait()
	w.settle()
	w.shutdown()
	w.checkAllEnded()
	for _, check := range w.atEnd {
		check()
	}
	// Let idle runtime goroutines (warm dispatcher workers, dead-letter throttles) see
	// their timers fire, so that the bubble ends with none left.
	time.Sleep(time.Minute)
	started, codes := w.model.Calls()
	return &Result{Config: cfg, Trace: w.model.Trace(), Violations: w.model.Violations(), Calls: started, Codes: codes}, nil
}

// settle heals every fault, lets the calls in flight end, and checks that every channel
// comes back to READY.
func (w *World) settle() {
	w.healAll()
	time.Sleep(settleTime)
	synctest.Wait()
	for _, c := range w.clients {
		w.probe(c)
	}
}

// probe makes one call that waits for the channel to be READY; after a heal it must work.
func (w *World) probe(c *clientNode) {
	ctx, cancel := context.WithTimeout(context.Background(), backoffMax+2*minConnectTimeout)
	defer cancel()
	s := w.newSpec(slices.Index(w.clients, c), Unary)
	w.model.CallStarted(s)
	err := w.unary(actorrpc.AppendOutgoing(ctx, "sim-id", fmt.Sprint(s.ID)), c, s, actorrpc.WaitForReady(true))
	w.model.CallEnded(s.ID, err)
	w.model.mu.Lock()
	defer w.model.mu.Unlock()
	if err != nil {
		w.model.violatef("%s: a call after the heal failed: %v", c.name, actorrpc.CodeOf(err))
	}
	if st := c.ch.State(); st != actorrpc.Ready {
		w.model.violatef("%s: state %s after the heal; want READY", c.name, st)
	}
}

// checkAllEnded checks that every call ended with exactly one status.
func (w *World) checkAllEnded() {
	m := w.model
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(m.calls)) {
		if c := m.calls[id]; c.ends == 0 {
			m.violatef("call %d: never ended", id)
		}
	}
}

// Summary is the one-line outcome of a run.
func (r *Result) Summary() string {
	var codes []string
	for _, c := range slices.Sorted(maps.Keys(r.Codes)) {
		codes = append(codes, fmt.Sprintf("%s=%d", c, r.Codes[c]))
	}
	verdict := "invariants held"
	if len(r.Violations) > 0 {
		verdict = fmt.Sprintf("%d VIOLATIONS", len(r.Violations))
	}
	return fmt.Sprintf("seed %d scenario %s: %d calls (%s): %s", r.Config.Seed, r.Config.Scenario, r.Calls, strings.Join(codes, " "), verdict)
}
