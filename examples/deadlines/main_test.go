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
	want := `client -> backend, 500ms deadline:
  backend: has a deadline: true, at most 500ms left: true
  backend: less than one 200ms step left after 2 steps: stopping early
  client: DEADLINE_EXCEEDED
client -> frontend -> backend, 500ms deadline:
  frontend: has a deadline: true, at most 500ms left: true
  backend: has a deadline: true, at most 500ms left: true
  backend: less than one 200ms step left after 2 steps: stopping early
  frontend: the backend call ended: DEADLINE_EXCEEDED
  client: DEADLINE_EXCEEDED
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
