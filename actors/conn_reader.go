package actors

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// frameMsg carries one frame, copied out of the Framer's buffers, from the reader
// goroutine to the connection actor.
type frameMsg struct {
	typ       http2.FrameType
	streamID  uint32
	flags     http2.Flags
	length    uint32 // frame payload length (counts padding, for flow control)
	settings  []http2.Setting
	errCode   http2.ErrCode
	increment uint32
	lastID    uint32
	truncated bool // header list exceeded MaxHeaderListSize
	selfDep   bool // HEADERS or PRIORITY whose priority depends on its own stream

	// The fact the connection passes on to the stream's owner, kept here so that it costs
	// no allocation of its own (the frame message is the actor's once posted, and garbage
	// once handled), and holding the frame's contents: headersFact.Fields the decoded
	// header list of HEADERS (payload), dataFact.Data the payload of DATA and PING and the
	// debug data of GOAWAY (fields).
	headersFact HeadersReceived
	dataFact    DataReceived
}

// payload is a DATA or PING frame's payload, or a GOAWAY's debug data.
func (m *frameMsg) payload() []byte { return m.dataFact.Data }

// fields is a HEADERS frame's decoded header list.
func (m *frameMsg) fields() []hpack.HeaderField { return m.headersFact.Fields }

// readerStopped says the reader goroutine ended, and why.
type readerStopped struct{ err error }

// frameReader is the goroutine that blocks on the socket. Its owner, the connection actor,
// ends it by closing the socket and waits for done.
type frameReader struct {
	done   chan struct{}
	budget *readBudget // what the reader may post ahead of the actor (conn_backpressure.go)
}

func startReader(system *actor.ActorSystem, owner *actor.PID, fr *http2.Framer, hr *headerReader, nc io.Reader, expectPreface bool, control *controlQueue, budget *readBudget) *frameReader {
	r := &frameReader{done: make(chan struct{}), budget: budget}
	go func() {
		defer close(r.done)
		err := readFrames(system, owner, fr, hr, nc, expectPreface, control, budget)
		system.Root.Send(owner, &readerStopped{err: err})
	}()
	return r
}

// readFrames reads until an error. Stream errors are posted as RST_STREAM requests and
// reading goes on; anything else ends the loop, as does a peer whose PING and SETTINGS
// frames outrun our answers (we stop reading it, so its frames cannot fill our memory).
// While the actor lags behind by budget, reading waits.
func readFrames(system *actor.ActorSystem, owner *actor.PID, fr *http2.Framer, hr *headerReader, nc io.Reader, expectPreface bool, control *controlQueue, budget *readBudget) error {
	if expectPreface {
		if err := readPreface(nc); err != nil {
			return err
		}
	}
	for {
		var m *frameMsg
		var f http2.Frame
		fh, err := fr.ReadFrameHeader()
		if err == nil {
			if fh.Type == http2.FrameData {
				m, err = readData(nc, fh) // conn_data.go: one copy, into a buffer m owns
			} else {
				f, err = fr.ReadFrameForHeader(fh)
			}
		}
		if f != nil && err == nil {
			switch f := f.(type) {
			case *http2.UnknownFrame:
				// RFC 9113 §4.1: "Implementations MUST ignore and discard frames of unknown
				// types." (Posting one could also pass for frameStreamError, type 0xff.)
				continue
			case *http2.HeadersFrame:
				m, err = hr.read(f)
			default:
				if needsAnswer(f) && !control.read() {
					return enhanceYourCalm("peer sent more than %d PING and SETTINGS frames that wait for our answer", control.max)
				}
				m = copyFrame(f)
			}
		}
		if err != nil {
			var se http2.StreamError
			if !errors.As(err, &se) {
				return readError(fr, err)
			}
			m = &frameMsg{typ: frameStreamError, streamID: se.StreamID, errCode: se.Code}
		}
		if !budget.take(m) {
			return errActorStopped
		}
		system.Root.Send(owner, m)
	}
}

// readError is the error that ends the reader for err, which is not a stream error.
func readError(fr *http2.Framer, err error) error {
	if errors.Is(err, io.EOF) {
		return errPeerEOF
	}
	if errors.Is(err, http2.ErrFrameTooLarge) {
		// RFC 9113 §4.2: "An endpoint MUST send an error code of FRAME_SIZE_ERROR if
		// a frame exceeds the size defined in SETTINGS_MAX_FRAME_SIZE". The Framer
		// cannot skip the payload, so this is a connection error.
		return fmt.Errorf("%w: peer sent a frame larger than our SETTINGS_MAX_FRAME_SIZE",
			http2.ConnectionError(http2.ErrCodeFrameSize))
	}
	var ce http2.ConnectionError
	if errors.As(err, &ce) {
		if d := fr.ErrorDetail(); d != nil {
			return fmt.Errorf("%w: %v", ce, d)
		}
	}
	return err
}

// errActorStopped ends a reader that waited for budget while its actor stopped.
var errActorStopped = errors.New("connection actor stopped")

// errPeerEOF is the reader's end when the peer closed the connection; the connection
// actor names the side ("server closed the connection (EOF)").
var errPeerEOF = errors.New("peer closed the connection (EOF)")

// frameStreamError is a pseudo frame type for a stream error found while reading.
const frameStreamError http2.FrameType = 0xff

// readPreface checks the client connection preface (RFC 9113 §3.4).
func readPreface(nc io.Reader) error {
	buf := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(nc, buf); err != nil {
		return fmt.Errorf("reading client preface: %w", err)
	}
	if !bytes.Equal(buf, []byte(http2.ClientPreface)) {
		return http2.ConnectionError(http2.ErrCodeProtocol)
	}
	return nil
}

// copyFrame copies what the actor needs out of a frame, which is valid only until the next
// ReadFrame.
func copyFrame(f http2.Frame) *frameMsg {
	h := f.Header()
	m := &frameMsg{typ: h.Type, streamID: h.StreamID, flags: h.Flags, length: h.Length}
	switch f := f.(type) {
	case *http2.SettingsFrame:
		_ = f.ForeachSetting(func(s http2.Setting) error {
			m.settings = append(m.settings, s)
			return nil
		})
	case *http2.PingFrame:
		m.dataFact.Data = append([]byte(nil), f.Data[:]...)
	case *http2.PriorityFrame:
		m.selfDep = f.StreamDep == h.StreamID
	case *http2.WindowUpdateFrame:
		m.increment = f.Increment
	case *http2.RSTStreamFrame:
		m.errCode = f.ErrCode
	case *http2.GoAwayFrame:
		m.errCode = f.ErrCode
		m.lastID = f.LastStreamID
		m.dataFact.Data = bytes.Clone(f.DebugData())
	}
	return m
}
