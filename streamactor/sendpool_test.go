package streamactor

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc/wire"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name    string
		size    int // of the string value
		maxSend int
		pooled  bool
		code    wire.Code
	}{
		{name: "empty message", size: 0, maxSend: 1 << 20, pooled: true},
		{name: "1 KiB", size: 1 << 10, maxSend: 1 << 20, pooled: true},
		{name: "just under 32 KiB with its prefix", size: 32<<10 - 16, maxSend: 1 << 20, pooled: true},
		{name: "above the pools: wire's encoding", size: 40 << 10, maxSend: 1 << 20, pooled: false},
		{name: "above maxSend", size: 100, maxSend: 50, code: wire.ResourceExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := wrapperspb.String(strings.Repeat("x", tt.size))
			o, err := Encode(m, nil, tt.maxSend)
			if tt.code != wire.OK {
				st, _ := wire.FromError(err)
				require.Equal(t, tt.code, st.Code(), "got %v; want %v", err, tt.code)
				return
			}
			require.NoError(t, err)
			want, err := wire.MarshalMessage(m, tt.maxSend)
			require.NoError(t, err)
			assert.Equal(t, want, o.Data, "the same bytes as wire.MarshalMessage")
			assert.Equal(t, tt.pooled, o.pooled != nil, "pooled")
			if o.pooled != nil {
				putSendBuffer(o.pooled)
			}
		})
	}
}

// TestWrittenQueue: DataSent counts bytes, possibly across and inside messages; a pooled
// buffer goes back only once all of its bytes are written, and never when it is not ours.
func TestWrittenQueue(t *testing.T) {
	var w writtenQueue
	a, b, c := make([]byte, 0, 100), make([]byte, 0, 50), []byte(nil) // not pool sizes: left alone
	w.add(100, a)
	w.add(50, b)
	w.add(10, c)
	w.sent(99)
	assert.Equal(t, 0, w.head, "got head %d after 99 of 100 bytes; want 0", w.head)
	w.sent(1)
	assert.Equal(t, 1, w.head, "got head %d after the first message; want 1", w.head)
	w.sent(55) // the second message and half of the third
	assert.Equal(t, 2, w.head)
	assert.Equal(t, 5, w.done)
	w.sent(5)
	assert.Empty(t, w.q, "everything written: the queue is empty")
	assert.Zero(t, w.done)
}
