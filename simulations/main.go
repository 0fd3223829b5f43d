package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"testing/synctest"
)

// options are the command's flags.
type options struct {
	seed     uint64
	seeds    int
	steps    int
	scenario string
	trace    bool
	list     bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("simulations", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Uint64Var(&o.seed, "seed", 1, "the seed of the (first) run")
	fs.IntVar(&o.seeds, "seeds", 1, "how many runs, with seeds seed, seed+1, …")
	fs.IntVar(&o.steps, "steps", 200, "workload steps per run")
	fs.StringVar(&o.scenario, "scenario", "random", "the scenario to run (-list shows them)")
	fs.BoolVar(&o.trace, "trace", false, "print each run's trace")
	fs.BoolVar(&o.list, "list", false, "list the scenarios and exit")
	err := fs.Parse(args)
	return o, err
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	if o.list {
		for _, s := range scenarios {
			fmt.Printf("%-16s %s\n", s.name, s.doc)
		}
		return
	}
	if _, ok := scenarioByName(o.scenario); !ok {
		fmt.Fprintf(os.Stderr, "unknown scenario %q; -list shows them\n", o.scenario)
		os.Exit(2)
	}
	if o.seeds > batchSize {
		os.Exit(runBatches(o))
	}
	os.Args = os.Args[:1] // testing.Main parses the test flags from os.Args
	var tests []testing.InternalTest
	for i := range o.seeds {
		cfg := Config{Seed: o.seed + uint64(i), Scenario: o.scenario, Steps: o.steps}
		tests = append(tests, testing.InternalTest{Name: fmt.Sprintf("seed%d", cfg.Seed), F: func(t *testing.T) { runOne(t, cfg, o.trace, os.Stdout) }})
	}
	testing.Main(func(string, string) (bool, error) { return true, nil }, tests, nil, nil)
}

// runOne makes one run in a bubble and reports it (see runReported); violations fail t.
func runOne(t *testing.T, cfg Config, trace bool, out io.Writer) *Result {
	res, ok := runReported(t, cfg, trace, out)
	if !ok {
		t.Fail()
	}
	return res
}

// runReported makes one run in a bubble. It prints the seed first, then the trace if asked,
// the summary, and on violations each of them and the command that replays the run; ok is
// false on violations.
func runReported(t *testing.T, cfg Config, trace bool, out io.Writer) (res *Result, ok bool) {
	fmt.Fprintf(out, "seed %d\n", cfg.Seed)
	synctest.Test(t, func(t *testing.T) {
		var err error
		if res, err = Run(cfg); err != nil {
			t.Fatal(err)
		}
	})
	if trace {
		fmt.Fprint(out, res.Trace)
	}
	fmt.Fprintln(out, res.Summary())
	for _, v := range res.Violations {
		fmt.Fprintf(out, "  violation: %s\n", v)
	}
	if len(res.Violations) > 0 {
		fmt.Fprintf(out, "  replay: %s\n", cfg.ReplayCommand())
	}
	return res, len(res.Violations) == 0
}

// batchSize is how many runs one process makes. The runtime keeps every actor system it
// has seen in a package-level map (actors/dispatcher.go, dispatchers), so each run leaks
// its systems, several MiB each; many seeds therefore run in child processes of at most
// batchSize runs.
const batchSize = 25

// runBatches runs o's seeds in child processes of batchSize runs each, one after another,
// passing their output through. It returns the exit code: 1 if any run failed.
func runBatches(o options) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	code := 0
	for first := 0; first < o.seeds; first += batchSize {
		args := []string{"-seed", fmt.Sprint(o.seed + uint64(first)), "-seeds", fmt.Sprint(min(batchSize, o.seeds-first)),
			"-steps", fmt.Sprint(o.steps), "-scenario", o.scenario, fmt.Sprintf("-trace=%v", o.trace)}
		cmd := exec.Command(self, args...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			code = 1
		}
	}
	return code
}
