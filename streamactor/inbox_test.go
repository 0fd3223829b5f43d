package streamactor

import (
	"bytes"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc/wire"
)

// pooledFrame returns a DATA payload, in a buffer from wire's pools, holding the messages
// of the given sizes, each filled with its index.
func pooledFrame(t *testing.T, sizes ...int) []byte {
	t.Helper()
	var msgs []byte
	for i, n := range sizes {
		msgs = wire.AppendMessage(msgs, bytes.Repeat([]byte{byte(i + 1)}, n), false)
	}
	buf := wire.GetBuffer(len(msgs))[:len(msgs)]
	copy(buf, msgs)
	require.True(t, wire.Pooled(buf), "test frame comes from a pool")
	return buf
}

// within says p lies inside buf's memory.
func within(p, buf []byte) bool {
	if len(p) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return at >= start && at < start+uintptr(cap(buf))
}

func TestInboxFeedHoldsPooledFrames(t *testing.T) {
	tests := []struct {
		name     string
		sizes    []int // messages in the frame
		cut      int   // bytes cut off the frame's end (a message continues in the next)
		wantMsgs int
		wantHold string // how the messages hold the frame: "alone", "shared"
	}{
		{name: "one message fills the frame", sizes: []int{1024}, wantMsgs: 1, wantHold: "alone"},
		{name: "two messages share the frame", sizes: []int{600, 700}, wantMsgs: 2, wantHold: "shared"},
		{name: "three messages share the frame", sizes: []int{200, 300, 400}, wantMsgs: 3, wantHold: "shared"},
		{name: "a message and the start of the next", sizes: []int{600, 700}, cut: 100, wantMsgs: 1, wantHold: "alone"},
		{name: "the start of one message", sizes: []int{2000}, cut: 100, wantMsgs: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frame := pooledFrame(t, tt.sizes...)
			frame = frame[:len(frame)-tt.cut]
			var in inbox
			_, err := in.feed(frame)
			require.NoError(t, err)
			require.Equal(t, tt.wantMsgs, in.queued(), "queued messages")
			results := make([]RecvResult, tt.wantMsgs)
			for i := range results {
				r := in.take()
				require.NoError(t, r.Err)
				assert.True(t, bytes.Equal(bytes.Repeat([]byte{byte(i + 1)}, tt.sizes[i]), r.Payload), "message %d: got %d bytes; want %d of %d", i, len(r.Payload), tt.sizes[i], i+1)
				assert.True(t, within(r.Payload, frame), "message %d aliases the frame (no copy)", i)
				assert.Equal(t, tt.wantHold == "alone", r.frame != nil, "message %d holds the frame alone", i)
				assert.Equal(t, tt.wantHold == "shared", r.shared != nil, "message %d shares the frame", i)
				results[i] = r
			}
			for i := range results {
				shared := results[i].shared
				results[i].Release()
				assert.Nil(t, results[i].Payload, "message %d: Release forgets the payload it gave back", i)
				if shared != nil {
					assert.Equal(t, int32(len(results)-1-i), shared.refs.Load(), "holds left on the shared frame after message %d", i)
				}
			}
		})
	}
}

func TestInboxFeedCompletesMessageAcrossFrames(t *testing.T) {
	whole := pooledFrame(t, 3000)
	first, second := whole[:1000], append([]byte(nil), whole[1000:]...)
	var in inbox
	free, err := in.feed(first)
	require.NoError(t, err)
	assert.Equal(t, 1000, free, "window returned for the partial message")
	_, err = in.feed(second)
	require.NoError(t, err)
	require.Equal(t, 1, in.queued())
	r := in.take()
	assert.True(t, bytes.Equal(bytes.Repeat([]byte{1}, 3000), r.Payload), "got %d bytes; want 3000 of 1", len(r.Payload))
	assert.Nil(t, r.frame, "a message the decoder assembled keeps no frame")
}
