package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fuzzSteps bounds a fuzz input's workload, so that each input is a short run.
const fuzzSteps = 64

// FuzzSimulation reads a run from the fuzz input: its first eight bytes are the seed, each
// further byte one step of the random mix (WorkloadFromBytes). The run must hold every
// invariant. Run it with
//
//	go test -run '^$' -fuzz FuzzSimulation -fuzztime 20s ./simulations
func FuzzSimulation(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		[]byte("\x01\x00\x00\x00\x00\x00\x00\x00"),
		// seed 2; calls, time passing, a partition, more calls, a heal
		append([]byte("\x02\x00\x00\x00\x00\x00\x00\x00"), 0, 10, 60, 100, 130, 200, 225, 20, 40, 80, 215, 5, 150),
		// seed 3; stalls, a reset, a restart and calls around them
		append([]byte("\x03\x00\x00\x00\x00\x00\x00\x00"), 1, 2, 205, 3, 209, 140, 230, 4, 248, 9, 170, 211, 7, 250, 1),
		bytes.Repeat([]byte{0xff}, 40), // faults only: restarts and connects
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		seed, workload := WorkloadFromBytes(data, fuzzSteps)
		var out bytes.Buffer
		res, ok := runReported(t, Config{Seed: seed, Scenario: "random", Workload: workload}, false, &out)
		assert.True(t, ok, "%s", out.String())
		assert.Empty(t, res.Violations)
	})
}

func TestWorkloadFromBytes(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		seed     uint64
		workload []byte
	}{
		{"empty", nil, 0, []byte{}},
		{"short seed", []byte{1, 2}, 0x0201, []byte{}},
		{"seed and steps", []byte{1, 0, 0, 0, 0, 0, 0, 0, 7, 8}, 1, []byte{7, 8}},
		{"capped", append(make([]byte, 8), bytes.Repeat([]byte{9}, fuzzSteps+5)...), 0, bytes.Repeat([]byte{9}, fuzzSteps)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed, workload := WorkloadFromBytes(tt.data, fuzzSteps)
			assert.Equal(t, tt.seed, seed)
			assert.Equal(t, tt.workload, workload)
		})
	}
}

// TestBytesPickEveryOp checks that byte values cover every op of the random mix.
func TestBytesPickEveryOp(t *testing.T) {
	total := 0
	for _, o := range randomOps {
		total += o.weight
	}
	seen := map[string]bool{}
	for b := range 256 {
		seen[(&World{}).pickN(randomOps, b*total/256).name] = true
	}
	require.Len(t, seen, len(randomOps))
}
