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
	want := `unary:
  server got: user=alice trace-bin=0001feff
  client got header: served-by=greeter shard-bin=0a0b
  client got trailer: cost=3 checksum-bin=dead
stream:
  server got: user=bob trace-bin=cafe
  client got header before any message: served-by=streamer shard-bin=0c0d
  client got: Hello #1, bob!
  client got: Hello #2, bob!
  client got trailer: cost=2 checksum-bin=beef
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
