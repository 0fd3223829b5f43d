package main

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves a goroutine running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestExampleOutput runs the example as a user would and checks what it prints.
func TestExampleOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "run", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	want := `fan-out: started 100 calls without blocking
fan-out: 100 replies, each matching its request: true
hedging: first reply: Hello, hedge!
hedging: the slow replica's call ended: CANCELLED
hedging: the slow replica's handler stopped: context canceled
aggregator: 10 results: 8 OK, 2 INVALID_ARGUMENT
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
