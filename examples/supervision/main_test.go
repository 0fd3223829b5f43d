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
	want := `10 concurrent calls, 2 of them panic:
  8 OK
  2 INTERNAL: grpc: handler panicked: handler exploded
failure events: 2
  panic value: handler exploded
  the stack names the handler: true
channel state after the panics: READY
a call after the panics: Hello, again!
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
