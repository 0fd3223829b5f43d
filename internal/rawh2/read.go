package rawh2

import (
	"errors"
	"io"
	"net"
	"syscall"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// Stream is what the other side sent on one stream, as ReadUntilStreamEnd collects it.
type Stream struct {
	// Headers is the first header block (for a Trailers-Only response, the only one).
	Headers []hpack.HeaderField
	// Data is the concatenated DATA payloads.
	Data []byte
	// Trailers is the header block that followed DATA, nil if none.
	Trailers []hpack.HeaderField
	// Ended says END_STREAM arrived.
	Ended bool
	// Reset says RST_STREAM arrived, with ResetCode.
	Reset     bool
	ResetCode http2.ErrCode
	// Frames are the stream's frames, in order.
	Frames []*Frame
}

// Status returns the grpc-status of the trailers (or of a Trailers-Only header block),
// and whether there is one.
func (s *Stream) Status() (string, bool) {
	if v, ok := Field(s.Trailers, "grpc-status"); ok {
		return v, true
	}
	return Field(s.Headers, "grpc-status")
}

// ReadHeaders reads up to the next header block on streamID and returns its fields.
// Frames of other streams and of the connection are skipped; DATA or RST_STREAM on the
// stream first fails the test.
func (p *Peer) ReadHeaders(streamID uint32) []hpack.HeaderField {
	p.t.Helper()
	for {
		f, err := p.ReadFrame()
		if err != nil {
			p.t.Fatalf("rawh2: reading HEADERS on stream %d: %v", streamID, err)
		}
		if f.StreamID != streamID {
			continue
		}
		if f.Type != http2.FrameHeaders {
			p.t.Fatalf("rawh2: on stream %d got %v; want HEADERS", streamID, f)
		}
		return f.Fields
	}
}

// ReadUntilStreamEnd reads until streamID ends (END_STREAM or RST_STREAM) and returns what
// arrived on it. As it reads DATA it returns the credit with WINDOW_UPDATEs for the
// connection and the stream, as a peer that consumes at once would. Frames of other
// streams are kept, in order, for the next reads (their DATA's connection credit is
// returned at once, as by a peer that buffers them); frames of the connection are
// skipped.
func (p *Peer) ReadUntilStreamEnd(streamID uint32) *Stream {
	p.t.Helper()
	s := &Stream{}
	var others []*Frame
	defer func() { p.pending = append(others, p.pending...) }()
	for {
		f, err := p.ReadFrame()
		if err != nil {
			p.t.Fatalf("rawh2: reading stream %d (so far %d frames, %d bytes of data): %v", streamID, len(s.Frames), len(s.Data), err)
		}
		if f.StreamID == 0 {
			continue
		}
		if f.StreamID != streamID {
			if f.Type == http2.FrameData && f.Length > 0 && !f.connCredited {
				p.grant(0, f.Length)
				f.connCredited = true
			}
			others = append(others, f)
			continue
		}
		s.Frames = append(s.Frames, f)
		switch f.Type {
		case http2.FrameHeaders:
			if s.Headers == nil {
				s.Headers = f.Fields
			} else {
				s.Trailers = f.Fields
			}
		case http2.FrameData:
			s.Data = append(s.Data, f.Data...)
			if f.Length > 0 {
				if !f.connCredited {
					p.grant(0, f.Length)
				}
				if !f.StreamEnded() {
					p.grant(streamID, f.Length)
				}
			}
		case http2.FrameRSTStream:
			s.Reset, s.ResetCode = true, f.ErrCode
			return s
		}
		if f.StreamEnded() {
			s.Ended = true
			return s
		}
	}
}

// grant returns credit like WriteWindowUpdate, but a write error is not the test's
// failure: the other side may have closed the connection after its last DATA, and a
// read then reports that.
func (p *Peer) grant(streamID, incr uint32) {
	if err := p.Framer.WriteWindowUpdate(streamID, incr); err != nil {
		return
	}
	if streamID == 0 {
		p.recvConn += int64(incr)
	} else {
		p.recvStream[streamID] = p.recvWindow(streamID) + int64(incr)
	}
}

// ReadGoAway reads up to the next GOAWAY, skipping other frames, and returns it.
func (p *Peer) ReadGoAway() *Frame {
	p.t.Helper()
	for {
		f, err := p.ReadFrame()
		if err != nil {
			p.t.Fatalf("rawh2: reading GOAWAY: %v", err)
		}
		if f.Type == http2.FrameGoAway {
			return f
		}
	}
}

// ReadUntilClosed reads until the other side closes the connection and returns the
// frames read on the way. It fails the test if the connection stays open past Timeout.
func (p *Peer) ReadUntilClosed() []*Frame {
	p.t.Helper()
	var frames []*Frame
	for {
		f, err := p.ReadFrame()
		if err != nil {
			if !IsClosed(err) {
				p.t.Fatalf("rawh2: after %d frames got %v; want the connection closed", len(frames), err)
			}
			return frames
		}
		frames = append(frames, f)
	}
}

// IsClosed reports whether a read error says the other side closed the connection.
func IsClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}
