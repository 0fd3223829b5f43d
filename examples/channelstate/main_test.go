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
	want := `state: IDLE
Connect()
state: CONNECTING
state: READY
the server stops
state: IDLE
a call with WaitForReady starts
state: CONNECTING
state: TRANSIENT_FAILURE
a call without WaitForReady: UNAVAILABLE
the server starts again on the same address
state: CONNECTING
state: READY
the call with WaitForReady: Hello, again!
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
