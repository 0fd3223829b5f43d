package interop

import (
	"context"
	"encoding/binary"
	"net"
	"sync"

	"github.com/actorrpc/actorrpc"
)

// The HTTP/2 facts the tap needs (RFC 9113 §3.4, §4.1, §6.1).
const (
	// clientPrefaceLen is the length of "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", which a client
	// sends before its first frame.
	clientPrefaceLen = 24
	// frameHeaderLen: "All frames begin with a fixed 9-octet header".
	frameHeaderLen = 9
	frameTypeData  = 0x0
	flagEndStream  = 0x1
	flagPadded     = 0x8
)

// WireMessage is one gRPC Length-Prefixed-Message seen on a tapped connection.
type WireMessage struct {
	// Sent is true for a message the client wrote, false for one it read.
	Sent bool
	// StreamID is the HTTP/2 stream that carried it.
	StreamID uint32
	// Compressed is its Compressed-Flag.
	Compressed bool
	// Length is its Message-Length: the size on the wire, after compression.
	Length int
}

// WireTap records the Compressed-Flag of every gRPC message on a client's connections, so
// that the compression cases can check what really travelled: gRPC's interop test
// description asks that a response "MUST have the compressed message flag set", which
// the runtime's API does not show. Its DialOption makes a Channel dial through it. It is
// safe for concurrent use.
type WireTap struct {
	mu   sync.Mutex
	msgs []WireMessage // guarded by mu; appended by the connections' parsers
}

// NewWireTap returns an empty tap.
func NewWireTap() *WireTap { return &WireTap{} }

// DialOption makes a Channel open plain TCP connections whose traffic the tap parses.
func (t *WireTap) DialOption() actorrpc.DialOption {
	return actorrpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		return &tappedConn{
			Conn:    nc,
			written: newFrameParser(t, true, clientPrefaceLen),
			read:    newFrameParser(t, false, 0),
		}, nil
	})
}

// Mark returns a position to pass to Since.
func (t *WireTap) Mark() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.msgs)
}

// Since returns the messages seen since mark, in the order their prefixes crossed the
// wire.
func (t *WireTap) Since(mark int) []WireMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]WireMessage(nil), t.msgs[mark:]...)
}

func (t *WireTap) record(m WireMessage) {
	t.mu.Lock()
	t.msgs = append(t.msgs, m)
	t.mu.Unlock()
}

// tappedConn feeds what a connection writes and reads to a parser per direction. The
// runtime writes from one goroutine and reads from another, so each parser has one user.
type tappedConn struct {
	net.Conn
	written, read *frameParser
}

func (c *tappedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.written.feed(p[:n])
	return n, err
}

func (c *tappedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.feed(p[:n])
	return n, err
}

// frameParser splits one direction of an HTTP/2 connection into frames and the payloads
// of DATA frames into gRPC messages. It is owned by the one goroutine feeding it.
type frameParser struct {
	tap     *WireTap
	sent    bool
	skip    int                     // preface bytes still to skip
	header  []byte                  // the current frame's header, while incomplete
	payload []byte                  // the current DATA frame's payload so far
	left    int                     // payload bytes of the current frame still to come
	data    bool                    // the current frame is DATA
	streams map[uint32]*msgSplitter // open streams' message splitters
}

func newFrameParser(tap *WireTap, sent bool, skip int) *frameParser {
	return &frameParser{tap: tap, sent: sent, skip: skip, streams: map[uint32]*msgSplitter{}}
}

// feed parses the next bytes of the direction.
func (p *frameParser) feed(b []byte) {
	n := min(p.skip, len(b))
	p.skip -= n
	b = b[n:]
	for len(b) > 0 {
		if p.left == 0 && len(p.header) < frameHeaderLen {
			n := min(frameHeaderLen-len(p.header), len(b))
			p.header = append(p.header, b[:n]...)
			b = b[n:]
			if len(p.header) == frameHeaderLen {
				p.startFrame()
			}
			continue
		}
		n := min(p.left, len(b))
		if p.data {
			p.payload = append(p.payload, b[:n]...)
		}
		p.left -= n
		b = b[n:]
		if p.left == 0 {
			p.endFrame()
		}
	}
}

// startFrame reads a complete frame header; a frame without payload ends at once.
func (p *frameParser) startFrame() {
	p.left = int(p.header[0])<<16 | int(p.header[1])<<8 | int(p.header[2])
	p.data = p.header[3] == frameTypeData
	p.payload = p.payload[:0]
	if p.left == 0 {
		p.endFrame()
	}
}

// endFrame hands a complete DATA frame's data, without padding, to its stream's splitter,
// and forgets a stream that ended.
func (p *frameParser) endFrame() {
	flags := p.header[4]
	streamID := binary.BigEndian.Uint32(p.header[5:9]) &^ (1 << 31)
	if p.data {
		data := p.payload
		if flags&flagPadded != 0 && len(data) > 0 {
			pad := int(data[0])
			data = data[1:max(1, len(data)-pad)]
		}
		s := p.streams[streamID]
		if s == nil {
			s = &msgSplitter{}
			p.streams[streamID] = s
		}
		s.feed(data, func(compressed bool, length int) {
			p.tap.record(WireMessage{Sent: p.sent, StreamID: streamID, Compressed: compressed, Length: length})
		})
	}
	if flags&flagEndStream != 0 {
		delete(p.streams, streamID)
	}
	p.header = p.header[:0]
}

// msgSplitter finds the Length-Prefixed-Messages in one stream's DATA:
//
//	Length-Prefixed-Message → Compressed-Flag Message-Length Message
type msgSplitter struct {
	prefix []byte // the current message's prefix, while incomplete
	body   int    // bytes of the current message's body still to come
}

// feed splits data, calling found for each message prefix.
func (s *msgSplitter) feed(data []byte, found func(compressed bool, length int)) {
	for len(data) > 0 {
		if s.body > 0 {
			n := min(s.body, len(data))
			s.body -= n
			data = data[n:]
			continue
		}
		n := min(5-len(s.prefix), len(data))
		s.prefix = append(s.prefix, data[:n]...)
		data = data[n:]
		if len(s.prefix) == 5 {
			s.body = int(binary.BigEndian.Uint32(s.prefix[1:]))
			found(s.prefix[0] == 1, s.body)
			s.prefix = s.prefix[:0]
		}
	}
}
