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
	want := `healthy:              Hello, sim!
partitioned:          DEADLINE_EXCEEDED
healed:               Hello, sim!
reset, dials refused: UNAVAILABLE
dials accepted:       Hello, sim!
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
