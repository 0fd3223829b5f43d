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
	want := `client -> backend, 500ms deadline, a 1s job:
  backend: has a deadline: true, at most 500ms left: true
  backend: not enough time left for a 1s job: stopping early
  client: DEADLINE_EXCEEDED: backend stopped early: the job needs 1s
client -> frontend -> backend, 500ms deadline, a 1s job:
  frontend: has a deadline: true, at most 500ms left: true
  backend: has a deadline: true, at most 500ms left: true
  backend: not enough time left for a 1s job: stopping early
  frontend: the backend call ended: DEADLINE_EXCEEDED
  client: DEADLINE_EXCEEDED: backend stopped early: the job needs 1s
client -> backend, 500ms deadline, a 1s job the backend does not check:
  backend: has a deadline: true, at most 500ms left: true
  backend: the call's ctx ended before the job was done
  client: DEADLINE_EXCEEDED
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
