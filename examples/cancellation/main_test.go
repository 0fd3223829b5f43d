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
	want := `stream: got Reply 1
stream: got Reply 2
stream: got Reply 3
stream: the client cancels
stream: the server handler saw ctx.Done: context canceled
stream: the client's Recv ended: CANCELLED
unary: the server handler started
unary: the client cancels
unary: the server handler saw ctx.Done: context canceled
unary: the future ended: CANCELLED
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
