package rawh2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// DefaultTimeout is how long a read waits for the next frame unless Peer.Timeout says
// otherwise.
const DefaultTimeout = 10 * time.Second

// ErrTimeout is returned by a read that waited Peer.Timeout for a frame in vain.
var ErrTimeout = errors.New("rawh2: timed out waiting for a frame")

// initialWindow is HTTP/2's initial flow-control window (RFC 9113 §6.9.2).
const initialWindow = 65535

// Peer is one end of an HTTP/2 connection driven by a test. Its methods must be called
// from one goroutine; write errors and protocol surprises fail the test.
type Peer struct {
	// Conn is the socket. Tests may close or half-close it directly.
	Conn net.Conn
	// Framer writes frames to Conn. Tests may use it for frames Peer has no method for;
	// flow-control accounting then is theirs. It allows illegal writes.
	Framer *http2.Framer
	// Timeout bounds each read (DefaultTimeout when zero).
	Timeout time.Duration
	// PeerSettings are the settings the other side announced, latest value per id.
	PeerSettings map[http2.SettingID]uint32

	t       testing.TB
	henc    *hpack.Encoder
	hbuf    bytes.Buffer
	frames  chan readResult
	stop    chan struct{}
	done    chan struct{}
	close   sync.Once
	pending []*Frame // frames read (and accounted) while SendData waited for credit
	readErr error    // sticky: the reader goroutine ended with it

	// Flow control. Send windows are what the other side granted us; receive windows are
	// what we granted it, and every DATA frame it sends is checked against them.
	sendConn     int64
	sendStream   map[uint32]int64
	recvConn     int64
	recvStream   map[uint32]int64
	ourInitial   int64 // the INITIAL_WINDOW_SIZE we announced
	peerInitial  int64 // the INITIAL_WINDOW_SIZE the other side announced
	peerMaxFrame uint32
}

type readResult struct {
	f   *Frame
	err error
}

// DialRaw opens a TCP connection to addr and starts reading frames from it, without
// sending the client preface: the test writes whatever it likes first. The connection is
// closed when the test ends.
func DialRaw(t testing.TB, addr string) *Peer {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, DefaultTimeout)
	if err != nil {
		t.Fatalf("rawh2: dial %s: %v", addr, err)
	}
	p := newPeer(t, nc)
	p.startReader()
	return p
}

// Dial opens an HTTP/2 connection to a server at addr: it sends the client preface and
// SETTINGS with settings, reads the server's SETTINGS, acknowledges them, and waits for
// the server's acknowledgement of its own. The connection is closed when the test ends.
func Dial(t testing.TB, addr string, settings ...http2.Setting) *Peer {
	t.Helper()
	p := DialRaw(t, addr)
	p.WriteRaw([]byte(http2.ClientPreface))
	p.handshake(settings)
	return p
}

// Accept accepts one connection on lis and serves as the HTTP/2 server side of it: it
// reads the client preface, sends SETTINGS with settings, reads the client's SETTINGS,
// acknowledges them, and waits for the client's acknowledgement. The connection is
// closed when the test ends.
func Accept(t testing.TB, lis net.Listener, settings ...http2.Setting) *Peer {
	t.Helper()
	nc, err := lis.Accept()
	if err != nil {
		t.Fatalf("rawh2: accept: %v", err)
	}
	p := newPeer(t, nc)
	_ = nc.SetReadDeadline(time.Now().Add(p.timeout()))
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(nc, preface); err != nil {
		t.Fatalf("rawh2: reading the client preface: %v", err)
	}
	_ = nc.SetReadDeadline(time.Time{})
	if string(preface) != http2.ClientPreface {
		t.Fatalf("rawh2: client preface: got %q; want %q", preface, http2.ClientPreface)
	}
	p.startReader()
	p.handshake(settings)
	return p
}

func newPeer(t testing.TB, nc net.Conn) *Peer {
	p := &Peer{
		Conn:         nc,
		PeerSettings: map[http2.SettingID]uint32{},
		t:            t,
		frames:       make(chan readResult),
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
		sendConn:     initialWindow,
		sendStream:   map[uint32]int64{},
		recvConn:     initialWindow,
		recvStream:   map[uint32]int64{},
		ourInitial:   initialWindow,
		peerInitial:  initialWindow,
		peerMaxFrame: 16384,
	}
	p.Framer = http2.NewFramer(nc, nc)
	p.Framer.AllowIllegalWrites = true
	p.Framer.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	p.Framer.SetMaxReadFrameSize(16384)
	p.henc = hpack.NewEncoder(&p.hbuf)
	t.Cleanup(p.Close)
	return p
}

// startReader starts the goroutine that copies frames off the socket. Close ends it.
func (p *Peer) startReader() {
	go func() {
		defer close(p.done)
		for {
			f, err := p.Framer.ReadFrame()
			var r readResult
			if err != nil {
				if d := p.Framer.ErrorDetail(); d != nil {
					err = fmt.Errorf("%w (%v)", err, d)
				}
				r.err = err
			} else {
				r.f = copyFrame(f)
			}
			select {
			case p.frames <- r:
			case <-p.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
}

// Close closes the connection and waits for the reader goroutine to end.
func (p *Peer) Close() {
	p.close.Do(func() {
		close(p.stop)
		_ = p.Conn.Close()
		<-p.done
	})
}

// handshake sends SETTINGS, then reads until it has seen the other side's SETTINGS
// (acknowledged as they arrive) and the acknowledgement of ours. Connection-level
// WINDOW_UPDATEs read meanwhile are applied; other frames wait for ReadFrame.
func (p *Peer) handshake(settings []http2.Setting) {
	p.t.Helper()
	p.WriteSettings(settings...)
	var gotSettings, gotAck bool
	for !gotSettings || !gotAck {
		f, err := p.next()
		if err != nil {
			p.t.Fatalf("rawh2: HTTP/2 handshake: %v", err)
		}
		switch {
		case f.Type == http2.FrameSettings && f.IsAck():
			gotAck = true
		case f.Type == http2.FrameSettings:
			gotSettings = true
		case f.Type == http2.FrameWindowUpdate && f.StreamID == 0:
		default:
			p.pending = append(p.pending, f)
		}
	}
}

func (p *Peer) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

// ReadFrame returns the next frame from the other side. It returns ErrTimeout if none
// arrives within Timeout, or the error that ended reading (io.EOF once the other side
// closed the connection). SETTINGS from the other side are applied and acknowledged
// before they are returned; every DATA frame is checked against the windows this peer
// granted.
func (p *Peer) ReadFrame() (*Frame, error) {
	if len(p.pending) > 0 {
		f := p.pending[0]
		p.pending = p.pending[1:]
		return f, nil
	}
	return p.next()
}

// next reads a frame off the reader goroutine and accounts for it.
func (p *Peer) next() (*Frame, error) {
	if p.readErr != nil {
		return nil, p.readErr
	}
	timer := time.NewTimer(p.timeout())
	defer timer.Stop()
	select {
	case r := <-p.frames:
		if r.err != nil {
			p.readErr = r.err
			return nil, r.err
		}
		p.account(r.f)
		return r.f, nil
	case <-timer.C:
		return nil, ErrTimeout
	}
}

// account applies what a frame from the other side changes: settings, windows.
func (p *Peer) account(f *Frame) {
	switch f.Type {
	case http2.FrameSettings:
		if f.IsAck() {
			return
		}
		for _, s := range f.Settings {
			p.PeerSettings[s.ID] = s.Val
			switch s.ID {
			case http2.SettingInitialWindowSize:
				delta := int64(s.Val) - p.peerInitial
				p.peerInitial = int64(s.Val)
				for id := range p.sendStream {
					p.sendStream[id] += delta
				}
			case http2.SettingMaxFrameSize:
				p.peerMaxFrame = s.Val
			}
		}
		// The other side may already have closed the connection (it sent SETTINGS, then
		// GOAWAY); a failed ACK then shows in the next read.
		_ = p.Framer.WriteSettingsAck()
	case http2.FrameWindowUpdate:
		if f.StreamID == 0 {
			p.sendConn += int64(f.Increment)
		} else {
			p.sendStream[f.StreamID] = p.sendWindow(f.StreamID) + int64(f.Increment)
		}
	case http2.FrameData:
		n := int64(f.Length)
		if w := p.recvWindow(f.StreamID); n > p.recvConn || n > w {
			p.t.Errorf("rawh2: got DATA of %d bytes on stream %d with connection window %d and stream window %d; want no more than the windows granted",
				n, f.StreamID, p.recvConn, w)
		}
		p.recvConn -= n
		p.recvStream[f.StreamID] = p.recvWindow(f.StreamID) - n
	}
}

func (p *Peer) sendWindow(id uint32) int64 {
	if w, ok := p.sendStream[id]; ok {
		return w
	}
	return p.peerInitial
}

func (p *Peer) recvWindow(id uint32) int64 {
	if w, ok := p.recvStream[id]; ok {
		return w
	}
	return p.ourInitial
}

// SendWindow returns what this peer may still send: on the connection, and on stream id.
func (p *Peer) SendWindow(id uint32) (conn, stream int64) { return p.sendConn, p.sendWindow(id) }

// RecvWindow returns what the other side may still send: on the connection, and on
// stream id, by this peer's accounting.
func (p *Peer) RecvWindow(id uint32) (conn, stream int64) { return p.recvConn, p.recvWindow(id) }

// PeerMaxFrameSize is the largest frame payload the other side accepts.
func (p *Peer) PeerMaxFrameSize() uint32 { return p.peerMaxFrame }

func (p *Peer) check(what string, err error) {
	if err != nil {
		p.t.Helper()
		p.t.Fatalf("rawh2: writing %s: %v", what, err)
	}
}

// WriteRaw writes b to the socket as it is.
func (p *Peer) WriteRaw(b []byte) {
	p.t.Helper()
	_, err := p.Conn.Write(b)
	p.check("raw bytes", err)
}

// WriteSettings writes a SETTINGS frame. An INITIAL_WINDOW_SIZE in it changes the
// windows this peer grants to streams.
func (p *Peer) WriteSettings(settings ...http2.Setting) {
	p.t.Helper()
	for _, s := range settings {
		if s.ID == http2.SettingInitialWindowSize {
			delta := int64(s.Val) - p.ourInitial
			p.ourInitial = int64(s.Val)
			for id := range p.recvStream {
				p.recvStream[id] += delta
			}
		}
	}
	p.check("SETTINGS", p.Framer.WriteSettings(settings...))
}

// WriteSettingsAck acknowledges the other side's SETTINGS.
func (p *Peer) WriteSettingsAck() {
	p.t.Helper()
	p.check("SETTINGS ACK", p.Framer.WriteSettingsAck())
}

// EncodeHeaders HPACK-encodes fields with the connection's encoder and returns the block.
func (p *Peer) EncodeHeaders(fields []hpack.HeaderField) []byte {
	p.hbuf.Reset()
	for _, f := range fields {
		if err := p.henc.WriteField(f); err != nil {
			p.t.Fatalf("rawh2: hpack encoding %q: %v", f.Name, err)
		}
	}
	return bytes.Clone(p.hbuf.Bytes())
}

// WriteHeaders writes a header block as HEADERS and, past the other side's max frame
// size, CONTINUATION frames.
func (p *Peer) WriteHeaders(streamID uint32, endStream bool, fields ...hpack.HeaderField) {
	p.t.Helper()
	p.WriteHeadersSplit(streamID, endStream, int(p.peerMaxFrame), fields...)
}

// WriteHeadersSplit writes a header block as HEADERS followed by CONTINUATION frames,
// each fragment at most fragSize bytes.
func (p *Peer) WriteHeadersSplit(streamID uint32, endStream bool, fragSize int, fields ...hpack.HeaderField) {
	p.t.Helper()
	block := p.EncodeHeaders(fields)
	if fragSize <= 0 {
		fragSize = len(block)
	}
	first := true
	for first || len(block) > 0 {
		n := min(len(block), fragSize)
		frag := block[:n]
		block = block[n:]
		if first {
			p.check("HEADERS", p.Framer.WriteHeaders(http2.HeadersFrameParam{
				StreamID: streamID, BlockFragment: frag, EndStream: endStream, EndHeaders: len(block) == 0,
			}))
			first = false
			continue
		}
		p.check("CONTINUATION", p.Framer.WriteContinuation(streamID, len(block) == 0, frag))
	}
}

// WriteData writes one DATA frame as it is, whatever the windows say (they are still
// charged).
func (p *Peer) WriteData(streamID uint32, endStream bool, data []byte) {
	p.t.Helper()
	p.check("DATA", p.Framer.WriteData(streamID, endStream, data))
	p.sendConn -= int64(len(data))
	p.sendStream[streamID] = p.sendWindow(streamID) - int64(len(data))
}

// SendData writes data on a stream the way a well-behaved peer does: in frames no larger
// than the other side's max frame size, never beyond the connection and stream windows
// it granted, reading frames (and so WINDOW_UPDATEs) while it waits for credit. Frames
// read meanwhile are kept for ReadFrame. It returns false, having sent only part of the
// data, if the stream ends or resets meanwhile (the other side answered early).
func (p *Peer) SendData(streamID uint32, endStream bool, data []byte) bool {
	p.t.Helper()
	for first := true; first || len(data) > 0; first = false {
		for len(data) > 0 && min(p.sendConn, p.sendWindow(streamID)) <= 0 {
			f, err := p.next()
			if err != nil {
				p.t.Fatalf("rawh2: waiting for flow-control credit on stream %d (connection window %d, stream window %d): %v",
					streamID, p.sendConn, p.sendWindow(streamID), err)
			}
			switch {
			case f.Type == http2.FrameWindowUpdate || f.Type == http2.FrameSettings:
			case f.StreamID == streamID && (f.Type == http2.FrameRSTStream || f.StreamEnded()):
				p.pending = append(p.pending, f)
				return false
			default:
				p.pending = append(p.pending, f)
			}
		}
		n := min(int64(len(data)), p.sendConn, p.sendWindow(streamID), int64(p.peerMaxFrame))
		chunk := data[:n]
		data = data[n:]
		p.WriteData(streamID, endStream && len(data) == 0, chunk)
	}
	return true
}

// WriteRSTStream writes RST_STREAM.
func (p *Peer) WriteRSTStream(streamID uint32, code http2.ErrCode) {
	p.t.Helper()
	p.check("RST_STREAM", p.Framer.WriteRSTStream(streamID, code))
}

// WritePing writes PING.
func (p *Peer) WritePing(ack bool, data [8]byte) {
	p.t.Helper()
	p.check("PING", p.Framer.WritePing(ack, data))
}

// WriteWindowUpdate writes WINDOW_UPDATE (stream 0: the connection) and grants the credit
// in this peer's accounting.
func (p *Peer) WriteWindowUpdate(streamID, incr uint32) {
	p.t.Helper()
	p.check("WINDOW_UPDATE", p.Framer.WriteWindowUpdate(streamID, incr))
	if streamID == 0 {
		p.recvConn += int64(incr)
	} else {
		p.recvStream[streamID] = p.recvWindow(streamID) + int64(incr)
	}
}

// WriteGoAway writes GOAWAY.
func (p *Peer) WriteGoAway(lastStreamID uint32, code http2.ErrCode, debug string) {
	p.t.Helper()
	p.check("GOAWAY", p.Framer.WriteGoAway(lastStreamID, code, []byte(debug)))
}

// WriteRawFrame writes a frame with any type, flags and payload.
func (p *Peer) WriteRawFrame(typ http2.FrameType, flags http2.Flags, streamID uint32, payload []byte) {
	p.t.Helper()
	p.check("raw frame", p.Framer.WriteRawFrame(typ, flags, streamID, payload))
}
