package rawh2

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// Frame is one frame read from the other side, copied out of the Framer's buffers so a
// test may keep it. A HEADERS frame and its CONTINUATIONs arrive as one Frame of type
// FrameHeaders with the decoded Fields.
type Frame struct {
	// Type is the frame type (FrameHeaders for a whole header block).
	Type http2.FrameType
	// Flags are the frame's flags; for a header block, END_STREAM is set if the block
	// ended the stream.
	Flags http2.Flags
	// StreamID is the frame's stream.
	StreamID uint32
	// Length is the payload length (for DATA, what flow control counts, padding included).
	Length uint32
	// Data is a DATA payload, a PING's 8 bytes, or a GOAWAY's debug data.
	Data []byte
	// Fields are a header block's decoded fields.
	Fields []hpack.HeaderField
	// Truncated says the header block exceeded the header list size limit.
	Truncated bool
	// Settings are a SETTINGS frame's parameters.
	Settings []http2.Setting
	// ErrCode is a RST_STREAM's or GOAWAY's error code.
	ErrCode http2.ErrCode
	// Increment is a WINDOW_UPDATE's increment.
	Increment uint32
	// LastStreamID is a GOAWAY's last stream id.
	LastStreamID uint32

	connCredited bool // ReadUntilStreamEnd returned this DATA's connection credit
}

// StreamEnded reports whether the frame carries END_STREAM.
func (f *Frame) StreamEnded() bool {
	switch f.Type {
	case http2.FrameData:
		return f.Flags.Has(http2.FlagDataEndStream)
	case http2.FrameHeaders:
		return f.Flags.Has(http2.FlagHeadersEndStream)
	}
	return false
}

// IsAck reports whether a SETTINGS or PING frame is an acknowledgement.
func (f *Frame) IsAck() bool {
	return (f.Type == http2.FrameSettings || f.Type == http2.FramePing) && f.Flags.Has(http2.FlagSettingsAck)
}

// Header returns the value of the first field named name in a header block, and whether
// there is one.
func (f *Frame) Header(name string) (string, bool) {
	return Field(f.Fields, name)
}

// Field returns the value of the first field named name, and whether there is one.
func Field(fields []hpack.HeaderField, name string) (string, bool) {
	for _, hf := range fields {
		if hf.Name == name {
			return hf.Value, true
		}
	}
	return "", false
}

// String describes the frame the way a failing test should print it.
func (f *Frame) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v stream=%d len=%d", f.Type, f.StreamID, f.Length)
	if f.Flags != 0 {
		fmt.Fprintf(&b, " flags=%#x", uint8(f.Flags))
	}
	switch f.Type {
	case http2.FrameHeaders:
		b.WriteString(" [")
		for i, hf := range f.Fields {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%s=%q", hf.Name, hf.Value)
		}
		b.WriteString("]")
	case http2.FrameRSTStream:
		fmt.Fprintf(&b, " code=%v", f.ErrCode)
	case http2.FrameGoAway:
		fmt.Fprintf(&b, " last=%d code=%v debug=%q", f.LastStreamID, f.ErrCode, f.Data)
	case http2.FrameWindowUpdate:
		fmt.Fprintf(&b, " incr=%d", f.Increment)
	case http2.FrameSettings:
		fmt.Fprintf(&b, " %v", f.Settings)
	case http2.FramePing:
		fmt.Fprintf(&b, " %x", f.Data)
	}
	return b.String()
}

// copyFrame copies a frame that is valid only until the next ReadFrame.
func copyFrame(fr http2.Frame) *Frame {
	h := fr.Header()
	f := &Frame{Type: h.Type, Flags: h.Flags, StreamID: h.StreamID, Length: h.Length}
	switch fr := fr.(type) {
	case *http2.DataFrame:
		f.Data = bytes.Clone(fr.Data())
	case *http2.MetaHeadersFrame:
		f.Type = http2.FrameHeaders
		f.Fields = append([]hpack.HeaderField(nil), fr.Fields...)
		f.Truncated = fr.Truncated
	case *http2.SettingsFrame:
		_ = fr.ForeachSetting(func(s http2.Setting) error {
			f.Settings = append(f.Settings, s)
			return nil
		})
	case *http2.PingFrame:
		f.Data = bytes.Clone(fr.Data[:])
	case *http2.WindowUpdateFrame:
		f.Increment = fr.Increment
	case *http2.RSTStreamFrame:
		f.ErrCode = fr.ErrCode
	case *http2.GoAwayFrame:
		f.ErrCode = fr.ErrCode
		f.LastStreamID = fr.LastStreamID
		f.Data = bytes.Clone(fr.DebugData())
	}
	return f
}
