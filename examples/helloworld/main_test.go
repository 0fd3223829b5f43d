package main

import (
	"bytes"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExampleOutput runs the example as a user would and checks what it prints.
func TestExampleOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	out, err := exec.Command("go", "run", ".").CombinedOutput()
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
