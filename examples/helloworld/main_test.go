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
	want := `unary, blocking: Hello, blocking world!
unary, future:   Hello, future world!
unary, actor:    Hello, actor world!
unary, error:    INVALID_ARGUMENT: greeting must not be empty
server streaming: Hello #1, stream!
server streaming: Hello #2, stream!
server streaming: Hello #3, stream!
client streaming: Hello, Ann and Bob and Cy!
bidi streaming:   Hi one
bidi streaming:   Hi two
bidi streaming:   Hi three
`
	assert.Equal(t, want, string(bytes.TrimLeft(out, "\n")))
}
