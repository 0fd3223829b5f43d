package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/actorrpc/actorrpc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// run makes one run in a bubble and returns its result and printed output.
func run(t *testing.T, cfg Config) (*Result, string) {
	t.Helper()
	var out bytes.Buffer
	res := runOne(t, cfg, false, &out)
	return res, out.String()
}

// ciRuns is how many seeds of each scenario `go test ./simulations/...` runs, and with how
// many steps: about 300 runs in all, which keeps `go test -race ./simulations/...` well within
// 90 s on a 2-core machine (README.md). The command runs thousands (-seeds). Runs are
// sequential: each is one synctest bubble, and their traces must not depend on each other.
var ciRuns = map[string]struct{ seeds, steps int }{
	"random":         {160, 40},
	"restart":        {25, 40},
	"partition-bidi": {10, 40},
	"deadline-storm": {4, 0},
	"cancel-storm":   {10, 0},
	"panics":         {10, 0},
	"slow-reader":    {10, 0},
	"goaway":         {25, 40},
	"half-open":      {8, 40},
	"reset-race":     {10, 50},
	"backoff":        {14, 0},
	"backoff-spec":   {14, 0},
}

// knownRuntimeBugs are scenarios that fail because of a runtime bug, and why.
var knownRuntimeBugs = map[string]string{}

// TestScenarios runs every named scenario with its ciRuns seeds; each must hold every
// invariant.
func TestScenarios(t *testing.T) {
	total := 0
	for _, sc := range scenarios {
		runs, ok := ciRuns[sc.name]
		require.True(t, ok, "scenario %s has no ciRuns entry", sc.name)
		total += runs.seeds
		t.Run(sc.name, func(t *testing.T) {
			if why, ok := knownRuntimeBugs[sc.name]; ok {
				t.Skip(why)
			}
			for seed := range uint64(runs.seeds) {
				cfg := Config{Seed: seed + 1, Scenario: sc.name, Steps: runs.steps}
				res, out := run(t, cfg)
				assert.Empty(t, res.Violations, "%s", out)
				assert.Positive(t, res.Calls)
			}
		})
	}
	assert.GreaterOrEqual(t, total, 300, "a few hundred seeds")
}

// TestSameSeedSameTrace runs seeds twice and diffs the traces: a difference is a
// determinism bug, in the harness or in the runtime.
func TestSameSeedSameTrace(t *testing.T) {
	tests := []Config{
		{Seed: 1, Scenario: "random", Steps: 200},
		{Seed: 2, Scenario: "random", Steps: 200},
		{Seed: 3, Scenario: "restart", Steps: 100},
		{Seed: 4, Scenario: "deadline-storm"},
		{Seed: 5, Scenario: "cancel-storm", Steps: 100},
		{Seed: 6, Scenario: "goaway", Steps: 100},
		// Not half-open: the runtime's keepalive makes its traces differ (README.md, runtime issues).
	}
	for _, cfg := range tests {
		t.Run(fmt.Sprintf("%s/%d", cfg.Scenario, cfg.Seed), func(t *testing.T) {
			first, _ := run(t, cfg)
			second, _ := run(t, cfg)
			require.NotEmpty(t, first.Trace)
			assert.Equal(t, first.Trace, second.Trace, "seed %d: the traces differ", cfg.Seed)
		})
	}
}

func TestOtherSeedOtherTrace(t *testing.T) {
	a, _ := run(t, Config{Seed: 1, Scenario: "random", Steps: 50})
	b, _ := run(t, Config{Seed: 2, Scenario: "random", Steps: 50})
	assert.NotEqual(t, a.Trace, b.Trace)
}

// TestBrokenInvariantIsCaught drops one stream message on the client side, through a
// test-only hook, and expects the run to fail with the seed and the replay command.
func TestBrokenInvariantIsCaught(t *testing.T) {
	var mu sync.Mutex // the hook runs on the calls' goroutines
	dropped := ""
	cfg := Config{Seed: 5, Scenario: "slow-reader", dropReply: func(id, seq int) bool {
		mu.Lock()
		defer mu.Unlock()
		if dropped == "" && seq == 3 {
			dropped = fmt.Sprintf("call %d: received message 4; want 3", id)
			return true
		}
		return false
	}}
	var out bytes.Buffer
	res, ok := runReported(t, cfg, false, &out)
	assert.False(t, ok, "the run fails")
	require.NotEmpty(t, dropped, "the hook ran")
	assert.Contains(t, strings.Join(res.Violations, "\n"), dropped, "the lost message is caught")
	assert.True(t, strings.HasPrefix(out.String(), "seed 5\n"), "the seed is printed first:\n%s", out.String())
	assert.Contains(t, out.String(), "replay: go run ./simulations -seed 5 -scenario slow-reader")
}

// TestHalfOpenCaughtByKeepalive runs the half-open scenario with keepalive, which must find
// the dead link, and without, where the calls on it must be caught hanging.
func TestHalfOpenCaughtByKeepalive(t *testing.T) {
	tests := []struct {
		name      string
		keepalive bool
		violation string
	}{
		{"keepalive", true, ""},
		{"no keepalive", false, "still running 12.00125s after the link went half-open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range uint64(3) {
				var out bytes.Buffer
				res, ok := runReported(t, Config{Seed: seed + 1, Scenario: "half-open", Steps: 20, noKeepalive: !tt.keepalive}, false, &out)
				assert.Equal(t, tt.violation == "", ok, "%s", &out)
				if tt.violation == "" {
					assert.Empty(t, res.Violations, "%s", out)
					assert.Positive(t, res.Codes[actorrpc.Unavailable], "the calls on the half-open link end UNAVAILABLE")
				} else {
					assert.Contains(t, strings.Join(res.Violations, "\n"), tt.violation, "%s", out)
				}
			}
		})
	}
}

func TestUnknownScenario(t *testing.T) {
	_, err := Run(Config{Seed: 1, Scenario: "nope"})
	assert.ErrorContains(t, err, `unknown scenario "nope"`)
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args []string
		want options
	}{
		{nil, options{seed: 1, seeds: 1, steps: 200, scenario: "random"}},
		{[]string{"-seed", "42", "-steps", "10", "-scenario", "backoff", "-trace"}, options{seed: 42, seeds: 1, steps: 10, scenario: "backoff", trace: true}},
		{[]string{"-seeds", "2000"}, options{seed: 1, seeds: 2000, steps: 200, scenario: "random"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := parseFlags(tt.args, &bytes.Buffer{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAllowedTransitions(t *testing.T) {
	for _, tt := range []struct {
		from, to string
		ok       bool
	}{
		{"IDLE", "CONNECTING", true}, {"CONNECTING", "READY", true}, {"READY", "IDLE", true},
		{"CONNECTING", "TRANSIENT_FAILURE", true}, {"TRANSIENT_FAILURE", "CONNECTING", true},
		{"READY", "SHUTDOWN", true}, {"IDLE", "READY", false}, {"TRANSIENT_FAILURE", "READY", false},
		{"SHUTDOWN", "IDLE", false}, {"SHUTDOWN", "SHUTDOWN", false},
	} {
		assert.Equal(t, tt.ok, allowedTransition(state(tt.from), state(tt.to)), "%s→%s", tt.from, tt.to)
	}
}

// state parses a state's name.
func state(name string) actorrpc.State {
	for s := actorrpc.Idle; s <= actorrpc.Shutdown; s++ {
		if s.String() == name {
			return s
		}
	}
	panic(name)
}
