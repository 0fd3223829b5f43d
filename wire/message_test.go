package wire

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func TestAppendMessage(t *testing.T) {
	tests := []struct {
		name       string
		payload    []byte
		compressed bool
		want       []byte
	}{
		{"empty", nil, false, []byte{0, 0, 0, 0, 0}},
		{"uncompressed", []byte("hi"), false, []byte{0, 0, 0, 0, 2, 'h', 'i'}},
		{"compressed", []byte("hi"), true, []byte{1, 0, 0, 0, 2, 'h', 'i'}},
		{"long", bytes.Repeat([]byte{7}, 258), false, append([]byte{0, 0, 0, 1, 2}, bytes.Repeat([]byte{7}, 258)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendMessage([]byte("x"), tt.payload, tt.compressed)
			assert.Equal(t, append([]byte("x"), tt.want...), got)
		})
	}
}

// splitFeed feeds data to d in chunks of size n (all at once when n <= 0).
func splitFeed(d *Decoder, data []byte, n int) {
	if n <= 0 {
		d.Feed(data)
		return
	}
	for len(data) > 0 {
		k := min(n, len(data))
		chunk := append([]byte(nil), data[:k]...)
		d.Feed(chunk)
		clear(chunk) // the decoder must not alias fed chunks
		data = data[k:]
	}
}

// expectMessages takes msgs out of d, every other one compressed (fed in chunks of n).
func expectMessages(t *testing.T, d *Decoder, msgs [][]byte, n int) {
	t.Helper()
	for i, want := range msgs {
		got, compressed, ok, err := d.Next()
		require.NoError(t, err, "chunk %d msg %d", n, i)
		require.True(t, ok, "chunk %d msg %d: got ok=false; want true", n, i)
		assert.Equal(t, want, got, "chunk %d msg %d", n, i)
		assert.NotNil(t, got, "chunk %d msg %d: payload must be non-nil", n, i)
		assert.Equal(t, i%2 == 1, compressed, "chunk %d msg %d", n, i)
	}
}

func TestDecoderReassembles(t *testing.T) {
	msgs := [][]byte{[]byte("hello"), {}, bytes.Repeat([]byte("ab"), 1000), []byte("z")}
	var stream []byte
	for i, m := range msgs {
		stream = AppendMessage(stream, m, i%2 == 1)
	}
	for _, chunk := range []int{0, 1, 2, 4, 5, 6, 7, 100, 1999} {
		d := &Decoder{}
		splitFeed(d, stream, chunk)
		expectMessages(t, d, msgs, chunk)
		_, _, ok, err := d.Next()
		assert.False(t, ok)
		assert.NoError(t, err)
		assert.Zero(t, d.Buffered())
		assert.NoError(t, d.Finish())
	}
}

func TestDecoderInterleavedNext(t *testing.T) {
	d := &Decoder{}
	stream := AppendMessage(nil, []byte("abcdef"), false)
	d.Feed(stream[:3])
	_, _, ok, err := d.Next()
	assert.False(t, ok)
	assert.NoError(t, err)
	assert.Equal(t, 3, d.Buffered())
	d.Feed(stream[3:8])
	assert.Equal(t, 8, d.Buffered())
	err = d.Finish()
	require.Error(t, err)
	assert.Equal(t, Internal, CodeOf(err))
	assert.Contains(t, err.Error(), "grpc: truncated message")
	d.Feed(stream[8:])
	got, _, ok, err := d.Next()
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "abcdef", string(got))
}

func TestDecoderErrors(t *testing.T) {
	tests := []struct {
		name    string
		max     int
		input   []byte
		code    Code
		message string
		before  int // messages returned before the error
	}{
		{"too large", 10, []byte{0, 0, 0, 0, 11}, ResourceExhausted, "grpc: received message larger than max (11 vs. 10)", 0},
		{"too large default", 0, []byte{0, 0, 0x40, 0, 1}, ResourceExhausted, "grpc: received message larger than max (4194305 vs. 4194304)", 0},
		{"max uint32", 0, []byte{1, 0xff, 0xff, 0xff, 0xff}, ResourceExhausted, "grpc: received message larger than max (4294967295 vs. 4194304)", 0},
		{"bad flag", 0, []byte{2, 0, 0, 0, 0}, Internal, "grpc: invalid compressed flag 2 in message prefix (want 0 or 1)", 0},
		{"error after message", 0, append(AppendMessage(nil, []byte("ok"), false), 9, 0, 0, 0, 0), Internal, "grpc: invalid compressed flag 9 in message prefix (want 0 or 1)", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &Decoder{MaxSize: tt.max}
			d.Feed(tt.input)
			for range tt.before {
				_, _, ok, err := d.Next()
				require.NoError(t, err)
				require.True(t, ok)
			}
			_, _, ok, err := d.Next()
			assert.False(t, ok)
			require.Error(t, err)
			assert.Equal(t, tt.code, CodeOf(err), "got code %v; want %v", CodeOf(err), tt.code)
			assert.Equal(t, tt.message, err.(*Status).Message())
			// Sticky.
			d.Feed([]byte{0, 0, 0, 0, 0})
			_, _, _, err2 := d.Next()
			assert.Equal(t, err, err2)
		})
	}
}

func TestDecoderFinish(t *testing.T) {
	d := &Decoder{}
	assert.NoError(t, d.Finish())
	d.Feed([]byte{0, 0})
	err := d.Finish()
	require.Error(t, err)
	assert.Equal(t, Internal, CodeOf(err))
}

// TestDecoderFeedOwned feeds the same stream as TestDecoderReassembles through FeedOwned:
// the messages come out the same whatever the chunks, those that lie whole in a chunk as
// slices of it (kept), the others copied.
func TestDecoderFeedOwned(t *testing.T) {
	msgs := [][]byte{[]byte("hello"), {}, bytes.Repeat([]byte("ab"), 1000), []byte("z")}
	var stream []byte
	for i, m := range msgs {
		stream = AppendMessage(stream, m, i%2 == 1)
	}
	for _, n := range []int{1, 5, 7, 100, 1999, 2020, len(stream)} {
		d := &Decoder{}
		anyKept := false
		for data := stream; len(data) > 0; {
			k := min(n, len(data))
			chunk := append([]byte(nil), data[:k]...)
			if d.FeedOwned(chunk) {
				anyKept = true
			} else {
				clear(chunk) // not kept: the decoder must not alias it
			}
			data = data[k:]
		}
		expectMessages(t, d, msgs, n)
		if n == len(stream) {
			assert.True(t, anyKept, "one chunk holds every message: it is kept")
		}
		if n < MessagePrefixLen {
			assert.False(t, anyKept, "chunk %d holds no whole message: nothing is kept", n)
		}
		assert.Zero(t, d.Buffered())
		assert.NoError(t, d.Finish())
	}
	t.Run("oversized prefix", func(t *testing.T) {
		d := &Decoder{MaxSize: 3}
		assert.False(t, d.FeedOwned(AppendMessage(nil, []byte("abcd"), false)))
		_, _, ok, err := d.Next()
		assert.False(t, ok)
		assert.Equal(t, ResourceExhausted, CodeOf(err))
	})
}

// TestDecoderPoolLarge: large bodies come from the pool and go back with Release; small
// ones and messages fed whole are unaffected, and every payload reads as sent.
func TestDecoderPoolLarge(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), (poolMin+100)/16)
	msgs := [][]byte{big, []byte("small"), big[:poolMin]}
	var stream []byte
	for i, m := range msgs {
		stream = AppendMessage(stream, m, i%2 == 1)
	}
	for round := range 3 {
		d := &Decoder{PoolLarge: true}
		splitFeed(d, stream, 16<<10)
		expectMessages(t, d, msgs, round)
		assert.Len(t, d.returned, 2, "the two large messages are pooled")
		d.Release()
		assert.Empty(t, d.returned)
	}
}

// TestMarshalMessagePooled: a large message is marshalled (EncodeMessagePooled) into a pool buffer that
// ReleaseBuffer takes back and the next large message reuses; small ones are not pooled.
func TestMarshalMessagePooled(t *testing.T) {
	big := &wrapperspb.BytesValue{Value: bytes.Repeat([]byte{7}, poolMin)}
	dirty := bytes.Repeat([]byte{0xff}, 2*poolMin)
	ReleaseBuffer(dirty) // the pool's buffers hold old bytes
	unpooled, err := MarshalMessage(big, DefaultMaxSendMessageSize)
	require.NoError(t, err)
	assert.False(t, Pooled(unpooled))
	b, err := EncodeMessagePooled(big, nil, DefaultMaxSendMessageSize)
	require.NoError(t, err)
	assert.True(t, Pooled(b))
	assert.Equal(t, byte(0), b[0], "compressed flag of a pooled buffer")
	var back wrapperspb.BytesValue
	require.NoError(t, proto.Unmarshal(b[MessagePrefixLen:], &back))
	assert.Equal(t, big.Value, back.Value)
	ReleaseBuffer(b)

	small, err := EncodeMessagePooled(&wrapperspb.BytesValue{Value: []byte("x")}, nil, DefaultMaxSendMessageSize)
	require.NoError(t, err)
	assert.False(t, Pooled(small))
	ReleaseBuffer(small) // left alone
}

// TestDecoderOrderWithNext: messages come out in order however feeding and Next
// interleave (the first waits outside the queue).
func TestDecoderOrderWithNext(t *testing.T) {
	msg := func(s string) []byte { return AppendMessage(nil, []byte(s), false) }
	next := func(d *Decoder) string {
		p, _, ok, err := d.Next()
		require.NoError(t, err)
		require.True(t, ok)
		return string(p)
	}
	d := &Decoder{}
	d.Feed(append(msg("a"), msg("b")...))
	assert.Equal(t, "a", next(d))
	d.Feed(msg("c"))
	assert.Equal(t, "b", next(d))
	d.Feed(msg("d"))
	assert.Equal(t, "c", next(d))
	assert.Equal(t, "d", next(d))
	d.Feed(append(msg("e"), msg("f")...))
	d.Feed(msg("g"))
	assert.Equal(t, "e", next(d))
	assert.Equal(t, "f", next(d))
	assert.Equal(t, "g", next(d))
	_, _, ok, _ := d.Next()
	assert.False(t, ok)
}
