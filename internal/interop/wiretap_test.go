package interop

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/net/http2"

	"github.com/actorrpc/actorrpc/wire"
)

// clientTraffic is what a client writes: the preface, SETTINGS, HEADERS for stream 1, then
// a padded DATA frame holding a compressed message and the start of an uncompressed
// one, a DATA frame with the rest of it and END_STREAM, and a DATA frame on stream 3 with
// an empty message.
func clientTraffic(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&buf, nil)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20}))
	must(fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0x82}, EndHeaders: true}))
	second := wire.AppendMessage(nil, make([]byte, 300), false)
	first := append(wire.AppendMessage(nil, []byte("gzipped"), true), second[:100]...)
	must(fr.WriteDataPadded(1, false, first, make([]byte, 17)))
	must(fr.WriteData(1, true, second[100:]))
	must(fr.WriteData(3, true, wire.AppendMessage(nil, nil, false)))
	return buf.Bytes()
}

// TestWireTapParsesFrames: whatever the chunks the bytes come in, the tap finds each
// message's stream, Compressed-Flag and length, and nothing in padding or other frames.
func TestWireTapParsesFrames(t *testing.T) {
	traffic := clientTraffic(t)
	want := []WireMessage{
		{Sent: true, StreamID: 1, Compressed: true, Length: 7},
		{Sent: true, StreamID: 1, Compressed: false, Length: 300},
		{Sent: true, StreamID: 3, Compressed: false, Length: 0},
	}
	for _, chunk := range []int{1, 2, 5, 9, 10, 64, len(traffic)} {
		t.Run("chunk "+strconv.Itoa(chunk), func(t *testing.T) {
			t.Parallel()
			tap := NewWireTap()
			p := newFrameParser(tap, true, clientPrefaceLen)
			for b := traffic; len(b) > 0; {
				n := min(chunk, len(b))
				p.feed(b[:n])
				b = b[n:]
			}
			assert.Equal(t, want, tap.Since(0))
			assert.Empty(t, p.streams, "streams that ended are forgotten")
		})
	}
}

// TestWireTapSince: Since returns what came after a Mark.
func TestWireTapSince(t *testing.T) {
	tap := NewWireTap()
	tap.record(WireMessage{StreamID: 1})
	mark := tap.Mark()
	tap.record(WireMessage{StreamID: 3, Compressed: true})
	assert.Equal(t, []WireMessage{{StreamID: 3, Compressed: true}}, tap.Since(mark))
	assert.Empty(t, tap.Since(tap.Mark()))
}
