package actors

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// TestHeaderReader writes header blocks as a peer would (HEADERS, CONTINUATION) and
// expects what x/net's Framer with ReadMetaHeaders gives: the fields, or its errors.
func TestHeaderReader(t *testing.T) {
	hf := func(kv ...string) []hpack.HeaderField {
		var fs []hpack.HeaderField
		for i := 0; i < len(kv); i += 2 {
			fs = append(fs, hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
		}
		return fs
	}
	request := hf(":method", "POST", ":scheme", "http", ":path", "/s/M", ":authority", "x", "content-type", "application/grpc", "te", "trailers")
	tests := []struct {
		name          string
		fields        []hpack.HeaderField
		block         []byte // raw block instead of fields
		fragments     int    // CONTINUATION frames after HEADERS
		maxList       uint32
		wantTruncated bool
		wantStreamErr bool
		wantConnErr   http2.ErrCode // 0: none
	}{
		{name: "request", fields: request},
		{name: "request over three CONTINUATION frames", fields: request, fragments: 3},
		{name: "response", fields: hf(":status", "200", "content-type", "application/grpc")},
		{name: "trailers", fields: hf("grpc-status", "0", "grpc-message", "ok")},
		{name: "uppercase name", fields: hf(":status", "200", "Content-Type", "x"), wantStreamErr: true},
		{name: "bad value", fields: hf(":status", "200", "k", "a\x00b"), wantStreamErr: true},
		{name: "pseudo after regular", fields: hf("k", "v", ":status", "200"), wantStreamErr: true},
		{name: "unknown pseudo", fields: hf(":bogus", "1"), wantStreamErr: true},
		{name: "duplicate pseudo", fields: hf(":status", "200", ":status", "200"), wantStreamErr: true},
		{name: "request and response pseudo", fields: hf(":status", "200", ":path", "/"), wantStreamErr: true},
		{name: "over the header list size", fields: hf(":status", "200", "k", strings.Repeat("v", 100)), maxList: 120, wantTruncated: true},
		{name: "far over the header list size", fields: hf(":status", "200", "k", strings.Repeat("v", 1000)), maxList: 100, wantConnErr: http2.ErrCodeProtocol},
		{name: "invalid field, then CONTINUATION", fields: hf(":status", "200", "K", "v", "a", strings.Repeat("b", 40)), fragments: 1, wantConnErr: http2.ErrCodeProtocol},
		{name: "bad HPACK", block: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, wantConnErr: http2.ErrCodeCompression},
		{name: "truncated HPACK", block: []byte{0x40, 0x05}, wantConnErr: http2.ErrCodeCompression},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			block := tt.block
			if block == nil {
				var b bytes.Buffer
				enc := hpack.NewEncoder(&b)
				for _, f := range tt.fields {
					require.NoError(t, enc.WriteField(f))
				}
				block = b.Bytes()
			}
			var wire bytes.Buffer
			w := http2.NewFramer(&wire, nil)
			parts := splitBlock(block, tt.fragments+1)
			require.NoError(t, w.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: parts[0], EndStream: true, EndHeaders: len(parts) == 1}))
			for i, p := range parts[1:] {
				require.NoError(t, w.WriteContinuation(1, i == len(parts)-2, p))
			}
			require.NoError(t, w.WritePing(false, [8]byte{})) // the frame after the block

			fr := http2.NewFramer(nil, &wire)
			hr := newHeaderReader(fr, initialHeaderTableSize, tt.maxList)
			f, err := fr.ReadFrame()
			require.NoError(t, err)
			m, err := hr.read(f.(*http2.HeadersFrame))
			var se http2.StreamError
			var ce http2.ConnectionError
			switch {
			case tt.wantConnErr != 0:
				require.ErrorAs(t, err, &ce, "got %v; want a connection error", err)
				assert.Equal(t, tt.wantConnErr, http2.ErrCode(ce))
				return
			case tt.wantStreamErr:
				require.ErrorAs(t, err, &se, "got %v; want a stream error", err)
				assert.Equal(t, http2.ErrCodeProtocol, se.Code)
				assert.Equal(t, uint32(1), se.StreamID)
			default:
				require.NoError(t, err)
				assert.Equal(t, http2.FrameHeaders, m.typ)
				assert.Equal(t, uint32(1), m.streamID)
				assert.True(t, m.flags.Has(http2.FlagHeadersEndStream))
				assert.Equal(t, tt.wantTruncated, m.truncated)
				if !tt.wantTruncated {
					assert.Equal(t, tt.fields, m.fields())
				}
			}
			// The block was consumed whole: the next frame reads.
			next, err := fr.ReadFrame()
			require.NoError(t, err)
			assert.IsType(t, &http2.PingFrame{}, next)
		})
	}
}

// TestHeaderReaderKeepsHPACKState decodes blocks that refer to the dynamic table entries
// earlier blocks added, one of them rejected: the decoder stays in step with the encoder.
func TestHeaderReaderKeepsHPACKState(t *testing.T) {
	var b, wire bytes.Buffer
	enc := hpack.NewEncoder(&b)
	w := http2.NewFramer(&wire, nil)
	blocks := [][]hpack.HeaderField{
		{{Name: ":status", Value: "200"}, {Name: "x-id", Value: "one"}},
		{{Name: ":status", Value: "200"}, {Name: "Bad", Value: "v"}, {Name: "x-id", Value: "two"}},
		{{Name: ":status", Value: "200"}, {Name: "x-id", Value: "one"}, {Name: "x-id", Value: "two"}},
	}
	for i, fs := range blocks {
		b.Reset()
		for _, f := range fs {
			require.NoError(t, enc.WriteField(f))
		}
		require.NoError(t, w.WriteHeaders(http2.HeadersFrameParam{StreamID: uint32(2*i + 1), BlockFragment: b.Bytes(), EndHeaders: true}))
	}
	fr := http2.NewFramer(nil, &wire)
	hr := newHeaderReader(fr, initialHeaderTableSize, 0)
	for i, want := range blocks {
		f, err := fr.ReadFrame()
		require.NoError(t, err)
		m, err := hr.read(f.(*http2.HeadersFrame))
		if i == 1 {
			var se http2.StreamError
			require.True(t, errors.As(err, &se), "got %v; want a stream error", err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, want, m.fields())
	}
}

// splitBlock cuts block into n fragments (the first may be all of it when it is short).
func splitBlock(block []byte, n int) [][]byte {
	parts := make([][]byte, 0, n)
	size := max(1, len(block)/n)
	for i := 0; i < n-1 && len(block) > size; i++ {
		parts = append(parts, block[:size])
		block = block[size:]
	}
	return append(parts, block)
}
