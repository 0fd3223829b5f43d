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
	want := `payload: 100000 bytes of text
no compression:
  server got a compressed request: false
  request on the wire smaller than 1/10 of the payload: false
  response on the wire smaller than 1/10 of the payload: false
gzip for every call of the channel (WithCompressor):
  server got a compressed request: true
  request on the wire smaller than 1/10 of the payload: true
  response on the wire smaller than 1/10 of the payload: true
gzip for one call (UseCompressor):
  server got a compressed request: true
  request on the wire smaller than 1/10 of the payload: true
  response on the wire smaller than 1/10 of the payload: true
no compression for one call of a gzip channel (UseCompressor("identity")):
  server got a compressed request: false
  request on the wire smaller than 1/10 of the payload: false
  response on the wire smaller than 1/10 of the payload: false
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
