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
	want := `"alice": OK
"": INVALID_ARGUMENT: greeting must not be empty
  bad request: field "greeting": must not be empty
"bob": NOT_FOUND: no user named bob
"busy": UNAVAILABLE: the greeter is busy
  retry after: 1.5s
"oops": UNKNOWN: disk on fire
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
