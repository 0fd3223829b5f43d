package actors

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
)

// rawFrame is one frame a test server writes in a batch (writeBatch).
type rawFrame struct {
	typ      http2.FrameType
	streamID uint32
	end      bool   // END_STREAM
	data     string // DATA payload
	code     http2.ErrCode
}

// writeBatch writes frames to the raw server's socket in one write, so that the client's
// reader reads them in one batch.
func writeBatch(t *testing.T, c *clientConn, frames ...rawFrame) {
	t.Helper()
	var buf bytes.Buffer
	fr := http2.NewFramer(&buf, nil)
	for _, f := range frames {
		switch f.typ {
		case http2.FrameData:
			require.NoError(t, fr.WriteData(f.streamID, f.end, []byte(f.data)))
		case http2.FrameHeaders: // trailers
			block := c.server.EncodeHeaders(okTrailers)
			require.NoError(t, fr.WriteHeaders(http2.HeadersFrameParam{StreamID: f.streamID, BlockFragment: block, EndStream: true, EndHeaders: true}))
		case http2.FrameRSTStream:
			require.NoError(t, fr.WriteRSTStream(f.streamID, f.code))
		}
	}
	c.server.WriteRaw(buf.Bytes())
}

// describe names what the stream's owner got, a DataReceived chain as one entry
// ("DATA 1:a,b" for a chain of two frames of stream 1).
func describe(m any) string {
	switch m := m.(type) {
	case *DataReceived:
		s := fmt.Sprintf("DATA %d:", m.StreamID)
		for d := m; d != nil; d = d.Next {
			if d != m {
				s += ","
			}
			s += string(d.Data)
			if d.EndStream {
				s += "|end"
			}
		}
		return s
	case *HeadersReceived:
		return fmt.Sprintf("HEADERS %d end=%v", m.StreamID, m.EndStream)
	case *StreamReset:
		return fmt.Sprintf("RESET %d %v", m.StreamID, m.Status.Code())
	}
	return fmt.Sprintf("%T", m)
}

// DATA frames of a manual-flow stream read in one batch reach its owner as one
// DataReceived chain (Next), in order; anything else the connection handles in between (a
// frame of another stream, a frame that is not DATA, an error on the stream) ends the chain
// first, so the owner sees every fact in the order the frames came. A stream without manual
// flow (a unary call) gets one DataReceived per frame.
func TestConnDataRun(t *testing.T) {
	d := func(id uint32, data string) rawFrame { return rawFrame{typ: http2.FrameData, streamID: id, data: data} }
	tests := []struct {
		name       string
		manualFlow bool
		frames     []rawFrame
		want       []string
	}{
		{
			name: "frames of one stream: one chain", manualFlow: true,
			frames: []rawFrame{d(1, "a"), d(1, "b"), d(1, "c")},
			want:   []string{"DATA 1:a,b,c"},
		},
		{
			name: "a frame of another stream ends the chain", manualFlow: true,
			frames: []rawFrame{d(1, "a"), d(1, "b"), d(3, "x"), d(1, "c")},
			want:   []string{"DATA 1:a,b", "DATA 3:x", "DATA 1:c"},
		},
		{
			name: "trailers come after the chain", manualFlow: true,
			frames: []rawFrame{d(1, "a"), d(1, "b"), {typ: http2.FrameHeaders, streamID: 1}},
			want:   []string{"DATA 1:a,b", "HEADERS 1 end=true"},
		},
		{
			name: "a reset comes after the chain", manualFlow: true,
			frames: []rawFrame{d(1, "a"), d(1, "b"), {typ: http2.FrameRSTStream, streamID: 1, code: http2.ErrCodeCancel}},
			want:   []string{"DATA 1:a,b", "RESET 1 CANCELLED"},
		},
		{
			name: "DATA after END_STREAM: the reset comes after the chain", manualFlow: true,
			frames: []rawFrame{d(1, "a"), {typ: http2.FrameData, streamID: 1, end: true, data: "b"}, d(1, "c")},
			want:   []string{"DATA 1:a,b|end", "RESET 1 INTERNAL"},
		},
		{
			name:   "no manual flow: a fact per frame",
			frames: []rawFrame{d(1, "a"), d(1, "b"), d(3, "x")},
			want:   []string{"DATA 1:a", "DATA 1:b", "DATA 3:x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t)
			for range 2 { // streams 1 and 3, open both ways
				c.open(&OpenStream{Headers: requestFields("/s/m"), ManualFlow: tt.manualFlow})
			}
			for _, id := range []uint32{1, 3} {
				require.Equal(t, id, expect[*StreamOpened](t, c.msgs).StreamID)
			}
			for _, id := range []uint32{1, 3} {
				c.server.ReadHeaders(id)
				c.server.WriteHeaders(id, false, responseHeaders...)
				require.Equal(t, "HEADERS "+fmt.Sprint(id)+" end=false", describe(expect[*HeadersReceived](t, c.msgs)))
			}
			writeBatch(t, c, tt.frames...)
			var got []string
			for range tt.want {
				got = append(got, describe(expect[any](t, c.msgs)))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
