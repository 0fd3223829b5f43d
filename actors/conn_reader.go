package actors

import (
	"bufio"
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
	// The small fields first, packed: a frame message is allocated per frame, and 8 bytes
	// more would move it to the next size class.
	typ       http2.FrameType
	flags     http2.Flags
	truncated bool // header list exceeded MaxHeaderListSize
	selfDep   bool // HEADERS or PRIORITY whose priority depends on its own stream
	streamID  uint32
	length    uint32 // frame payload length (counts padding, for flow control)
	errCode   http2.ErrCode
	increment uint32
	lastID    uint32
	settings  []http2.Setting

	// The fact the connection passes on to the stream's owner, kept here so that it costs
	// no allocation of its own (the frame message is the actor's once posted, and garbage
	// once handled), and holding the frame's contents: headersFact.Fields the decoded
	// header list of HEADERS (payload), dataFact.Data the payload of DATA and PING and the
	// debug data of GOAWAY (fields).
	headersFact HeadersReceived
	dataFact    DataReceived

	// next is the frame read after this one when the reader posted them together (the
	// bytes of both had arrived): one message, and one run of the actor, for a batch.
	next *frameMsg
}

// maxFrameBatch bounds how many frames the reader posts as one message.
const maxFrameBatch = 64

// onFrames handles, in order, the frames the reader posted together (frameMsg.next).
func (c *conn) onFrames(ctx actor.Context, m *frameMsg) {
	c.noteRead()
	defer c.flushRun(ctx)
	for m != nil {
		next := m.next
		m.next = nil
		c.reader.budget.give(m)
		if c.run.head != nil && !c.continuesRun(m) {
			c.flushRun(ctx)
		}
		c.onFrame(ctx, m)
		if c.closeErr != nil {
			return // closing: as a stop overtakes the frames still queued
		}
		m = next
	}
}

// frameBatch is what the reader has read and not yet posted.
type frameBatch struct {
	head, tail *frameMsg
	n          int
}

func (b *frameBatch) add(m *frameMsg) {
	if b.head == nil {
		b.head = m
	} else {
		b.tail.next = m
	}
	b.tail = m
	b.n++
}

// post sends the batch to the actor, if it holds anything.
func (b *frameBatch) post(system *actor.ActorSystem, owner *actor.PID) {
	if b.head != nil {
		system.Root.Send(owner, b.head)
		*b = frameBatch{}
	}
}

// nextFrameBuffered reports whether the whole next frame is in br already: reading it will
// not block, so the frames read so far may wait to be posted with it.
func nextFrameBuffered(br *bufio.Reader) bool {
	if br.Buffered() < frameHeaderLen {
		return false
	}
	h, err := br.Peek(frameHeaderLen)
	if err != nil {
		return false
	}
	n := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
	return br.Buffered() >= frameHeaderLen+n
}

// frameHeaderLen is the length of an HTTP/2 frame header (RFC 9113 §4.1).
const frameHeaderLen = 9

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
	br, _ := nc.(*bufio.Reader)
	var batch frameBatch
	defer batch.post(system, owner) // what was read before an error comes before readerStopped
	for {
		if batch.head != nil && (br == nil || batch.n >= maxFrameBatch || !nextFrameBuffered(br)) {
			batch.post(system, owner) // the next read may block
		}
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
				if !f.HeadersEnded() {
					batch.post(system, owner) // reading its CONTINUATIONs may block
				}
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
		if budget.spent(m) {
			batch.post(system, owner) // the actor gives back only what it was sent
		}
		if !budget.take(m) {
			return errActorStopped
		}
		batch.add(m)
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
