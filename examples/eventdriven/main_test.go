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
	want := `alice << * alice joined (1 here)
alice << * bob joined (2 here)
bob   << * bob joined (2 here)
alice << alice: hi bob
bob   << alice: hi bob
bob   << bob: hello alice
alice << bob: hello alice
alice << (the stream ended: OK)
bob   << * alice left (1 here)
bob   << (the stream ended: OK)
history: * alice joined (1 here)
history: * bob joined (2 here)
history: alice: hi bob
history: bob: hello alice
history: * alice left (1 here)
history: * bob left (0 here)
history: (the stream ended: OK)
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
