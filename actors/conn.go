package actors

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/supervisor"
	"github.com/actorrpc/actorrpc/wire"
)

// Commands to a connection actor.

// OpenStream asks a client connection to open a stream: HEADERS, then optional DATA.
// Send it with Context.Request so that a connection that is already gone answers with
// actor.DeadLetterResponse. The owner (the sender) gets StreamOpened, then facts.
type OpenStream struct {
	Headers   []hpack.HeaderField
	Data      []byte // length-prefixed message bytes, may be nil
	EndStream bool   // half-close after Data
	// ManualFlow makes the stream's receive window refill only through ConsumeData, and
	// reports written data with DataSent (streaming calls: backpressure both ways).
	ManualFlow bool
	// ReportWritten asks for RequestWritten once all of Data is written, so that the owner
	// can give a pooled Data back (wire.ReleaseBuffer).
	ReportWritten bool
}

// ConsumeData returns N bytes of a manual-flow stream's receive window to the peer: the
// application has consumed them.
type ConsumeData struct {
	StreamID uint32
	N        int
}

// WriteStream writes, in order, optional headers, optional data and optional trailers
// on an open stream. EndStream (implied by Trailers) half-closes the local side.
type WriteStream struct {
	StreamID  uint32
	Headers   []hpack.HeaderField
	Data      []byte
	Trailers  []hpack.HeaderField
	EndStream bool
	// ReleaseData lets the connection give Data back to wire's buffer pool
	// (wire.ReleaseBuffer) once it is written or the stream is gone: the sender keeps no
	// reference to it.
	ReleaseData bool
}

// ResetStream sends RST_STREAM and forgets the stream.
type ResetStream struct {
	StreamID uint32
	Code     http2.ErrCode
}

// Drain makes a server connection send GOAWAY, refuse new streams, and close once its
// streams have ended.
type Drain struct{ Reason string }

// CloseConn closes the connection: GOAWAY(NO_ERROR), then the socket.
type CloseConn struct{ Reason string }

// Facts a connection actor sends to stream owners.

// StreamOpened tells the owner the id of its new stream. Written says all of the
// OpenStream's Data is written already (no RequestWritten follows).
type StreamOpened struct {
	StreamID uint32
	Written  bool
}

// HeadersReceived carries a decoded header block (headers or trailers) of a stream.
type HeadersReceived struct {
	StreamID  uint32
	Fields    []hpack.HeaderField
	EndStream bool
}

// DataReceived carries the payload of one DATA frame (owned by the receiver).
type DataReceived struct {
	Data []byte
	// Next, for a manual-flow stream (OpenStream.ManualFlow, StreamOwner.ManualFlow), is
	// the fact of the stream's next DATA frame when the connection read both in one
	// batch: the owner handles the chain, in order, as if each had come on its own.
	Next      *DataReceived
	StreamID  uint32
	EndStream bool
}

// RequestWritten tells the owner of a stream opened with OpenStream.ReportWritten that the
// connection no longer refers to the OpenStream's Data: all of it was written.
type RequestWritten struct{ StreamID uint32 }

// DataSent tells the owner of a manual-flow stream that N more bytes of its data left the
// connection's send queue (were written to the socket buffer).
type DataSent struct {
	StreamID uint32
	N        int
}

// StreamReset says the stream ended abnormally: the peer reset it, the connection ended,
// or it could not be opened (StreamID 0). Status is the cause as a gRPC status.
type StreamReset struct {
	StreamID uint32
	Status   *wire.Status
	// Unprocessed says the server never processed the stream (client role): it refused it,
	// it was above a GOAWAY's last-stream-id, or it never left the client. The call may
	// open it again (conn_unprocessed.go).
	Unprocessed bool
	// Conn is the connection that sent it. A call that already moved to another attempt
	// (after ConnectionLost, say) ignores a reset from a connection it no longer uses: it
	// answers the earlier attempt, and acting on it would open the call twice.
	Conn *actor.PID
}

// OwnerStopped says a stream owner the connection's NewStream spawned (server role) has
// stopped: the owner sends it, from its Stopped, to the connection. Owners are not the
// connection's children (they are spawned under a StopOnFailure guardian, which keeps
// protoactor-go's child bookkeeping off the connection's path), so this is how the
// connection counts those still alive (conn_limits.go, tooManyEarlyResets).
type OwnerStopped struct{}

// Facts a connection actor sends to its parent.

// ConnectionReady says the peer's SETTINGS arrived: the connection can carry calls.
type ConnectionReady struct{ Conn *actor.PID }

// ConnectionClosed says the connection is gone and why.
type ConnectionClosed struct {
	Conn *actor.PID
	Err  error
}

// GoAwayReceived says the peer will accept no new streams on this connection.
type GoAwayReceived struct {
	Conn         *actor.PID
	Code         http2.ErrCode
	LastStreamID uint32
	Debug        string
}

// ConnParams configures a connection actor.
type ConnParams struct {
	// System, when set, runs the actor on the system's warm dispatcher.
	System  *actor.ActorSystem
	NetConn net.Conn
	Client  bool
	Config  ConnConfig
	Logger  *slog.Logger
	// NewStream spawns the actor serving a stream the peer opened (server role). It runs
	// inside the connection actor and returns the owner of the stream.
	NewStream func(ctx actor.Context, s IncomingStream) StreamOwner
	// ChannelState is the state of the channel a client connection belongs to
	// (ChannelParams.State): streams end CANCELLED once it is SHUTDOWN (conn_direct.go).
	ChannelState *atomic.Int32
}

// StreamOwner is the actor that serves an incoming stream, and whether it controls the
// stream's receive window itself (see OpenStream.ManualFlow).
type StreamOwner struct {
	PID        *actor.PID
	ManualFlow bool
	// Reject, when PID is nil, is the answer to a stream that is refused without an
	// actor: a header block, sent with END_STREAM unless RejectBody follows it.
	Reject     []hpack.HeaderField
	RejectBody []byte
	// Malformed, when PID is nil, says why the request is malformed: the stream is reset
	// with PROTOCOL_ERROR instead of answered (RFC 9113 §8.1.1).
	Malformed string
}

// IncomingStream is a stream a client opened on a server connection.
type IncomingStream struct {
	Conn      *actor.PID
	StreamID  uint32
	Fields    []hpack.HeaderField
	EndStream bool
}

// conn is the connection actor. It owns every field; nothing else touches them.
type conn struct {
	p       ConnParams
	cfg     ConnConfig
	log     *slog.Logger
	self    *actor.PID
	parent  *actor.PID
	system  *actor.ActorSystem
	counter *mailboxCounter
	box     *connMailbox
	// noStreamsSince is when the last stream ended (client role; for idleQuery).
	noStreamsSince time.Time

	sock   *writeGuard    // the socket with a deadline on every write (conn_backpressure.go)
	gather gatheredFrames // large DATA frames of one drain, written with writev (conn_gather.go)
	bw     *bufio.Writer
	fr     *http2.Framer
	henc   *hpack.Encoder
	hbuf   bytes.Buffer

	reader *frameReader
	dirty  bool
	// yielded says maybeFlush already yielded the processor once for the frames in bw.
	yielded bool

	// control counts the peer's PING and SETTINGS waiting for our answer (shared with
	// the reader); unflushedAnswers are the answers in bw not yet flushed.
	control          *controlQueue
	unflushedAnswers int64
	// liveOwners counts the stream actors NewStream spawned (server role) that have not
	// stopped yet (OwnerStopped), whether or not their stream is still open.
	liveOwners int
	ka         keepalive
	dr         drainState // a graceful drain's two GOAWAYs (conn_drain.go)

	streams      map[uint32]*stream
	run          dataRun // DATA facts of one stream read in this batch, not yet posted
	nextStreamID uint32  // client role: next id to allocate
	lastPeerID   uint32  // server role: highest id the peer opened
	waitingOpens []pendingOpen
	resets       resetRing // server role: streams we reset lately (conn_rules.go)
	// contentLengths holds the requests that declared a content-length (server role; rare
	// in gRPC, so kept out of stream), by stream id, while their stream lives.
	contentLengths map[uint32]contentCount
	// releases holds the data to give back to wire's pool when its stream goes
	// (WriteStream.ReleaseData; large messages only), by stream id.
	releases map[uint32][]byte

	peer     peerSettings
	sendConn int64 // connection send window the peer granted
	recvConn flowIn
	blocked  []uint32 // streams waiting for connection window

	ready      bool
	goingAway  bool // the peer sent GOAWAY: no new streams
	sentGoAway bool
	draining   bool // Drain received: close when the last stream ends
	graceful   bool // stopping after a drain, every stream ended: flush what is left in full
	closing    bool
	closeErr   error
}

type pendingOpen struct {
	owner *actor.PID
	open  *OpenStream
}

// NewConnProps returns the props of a connection actor over p.NetConn.
func NewConnProps(p ConnParams) *actor.Props {
	counter, box := &mailboxCounter{}, &connMailbox{}
	middlewares := []actor.MailboxMiddleware{counter}
	return RuntimeProps(p.System, func() actor.Actor {
		return &conn{p: p, counter: counter, box: box}
	}, actor.WithMailbox(func() actor.Mailbox {
		box.m = newMailbox(middlewares)
		return box.m
	}),
		actor.WithSupervisor(supervisor.StopOnFailure(p.Logger)))
}

// Receive is the connection actor's one switch over its messages.
func (c *conn) Receive(ctx actor.Context) {
	defer supervisor.KeepStack()
	switch m := ctx.Message().(type) {
	case *actor.Started:
		c.start(ctx)
	case *actor.Stopping:
		c.stop()
	case *actor.Stopped:
		c.box.m.afterStop = c.afterStop // what is still queued gets an answer, not silence
	case *idleQuery:
		c.onIdleQuery(ctx)
	case *frameMsg:
		c.onFrames(ctx, m)
	case connTimerMsg:
		c.onKeepalive(ctx, m)
	case *readerStopped:
		err := m.err
		if errors.Is(err, errPeerEOF) {
			err = fmt.Errorf("%s closed the connection (EOF)", c.peerSide())
		}
		c.fail(ctx, err)
	case *OpenStream:
		c.openStream(ctx, ctx.Sender(), m)
	case *WriteStream:
		c.writeStream(m)
	case *ConsumeData:
		c.consumeData(m.StreamID, m.N)
	case *ResetStream:
		c.resetStream(m.StreamID, m.Code)
	case *Drain:
		c.startDrain(m.Reason)
	case *CloseConn:
		c.goAway(http2.ErrCodeNo, m.Reason)
		c.closeErr = errors.New(m.Reason)
		ctx.Stop(c.self)
	case *OwnerStopped:
		// a stream owner (server role) ended; its stream may still drain.
		if !c.p.Client {
			c.liveOwners--
		}
	}
	c.afterMessage(ctx)
	c.maybeFlush(ctx)
}

func (c *conn) start(ctx actor.Context) {
	c.self, c.parent, c.system = ctx.Self(), ctx.Parent(), ctx.ActorSystem()
	c.cfg = c.p.Config.withDefaults()
	c.log = c.p.Logger
	if c.log == nil {
		c.log = slog.New(discardHandler{})
	}
	c.streams = make(map[uint32]*stream)
	c.nextStreamID = 1
	c.peer = defaultPeerSettings()
	c.sendConn = initialWindow
	c.recvConn = flowIn{window: initialWindow}
	c.sock = &writeGuard{nc: c.p.NetConn, timeout: c.cfg.WriteTimeout, peer: "server"}
	if !c.p.Client {
		c.sock.peer = "client"
	}
	c.bw = bufio.NewWriterSize(c.sock, writeBufferSize)
	// The reader goroutine reads through a buffer: one read(2) brings many frames.
	br := bufio.NewReaderSize(c.p.NetConn, 32<<10)
	c.fr = http2.NewFramer(c.bw, br)
	c.fr.SetReuseFrames()
	c.fr.MaxHeaderListSize = c.cfg.MaxHeaderListSize
	c.fr.SetMaxReadFrameSize(c.cfg.MaxFrameSize)
	hr := newHeaderReader(c.fr, initialHeaderTableSize, c.cfg.MaxHeaderListSize)
	c.henc = hpack.NewEncoder(&c.hbuf)
	if c.p.Client {
		_, _ = c.bw.WriteString(http2.ClientPreface)
	}
	c.writeInitialSettings()
	c.control = &controlQueue{max: int64(c.cfg.MaxQueuedControlFrames)}
	c.reader = startReader(c.system, c.self, c.fr, hr, br, !c.p.Client, c.control, newReadBudget(c.cfg))
	c.startKeepalive()
}

// writeInitialSettings sends our SETTINGS and grows the connection window.
func (c *conn) writeInitialSettings() {
	settings := []http2.Setting{
		{ID: http2.SettingInitialWindowSize, Val: uint32(c.cfg.InitialWindowSize)},
		{ID: http2.SettingMaxFrameSize, Val: c.cfg.MaxFrameSize},
		{ID: http2.SettingMaxHeaderListSize, Val: c.cfg.MaxHeaderListSize},
	}
	if c.p.Client {
		settings = append(settings, http2.Setting{ID: http2.SettingEnablePush, Val: 0})
	} else {
		settings = append(settings, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: c.cfg.MaxConcurrentStreams})
	}
	c.check(c.fr.WriteSettings(settings...))
	if delta := c.cfg.InitialConnWindowSize - initialWindow; delta > 0 {
		c.check(c.fr.WriteWindowUpdate(0, uint32(delta)))
		c.recvConn.window += int64(delta)
	}
	c.dirty = true
}

// stop runs when the actor stops for any reason (close, failure, panic): every live stream
// is told, the socket closes, and the reader goroutine is waited for.
func (c *conn) stop() {
	if c.closing {
		return
	}
	c.closing = true
	c.stopKeepalive()
	if c.fr != nil && c.closeErr == nil {
		c.goAway(http2.ErrCodeNo, "connection closed")
	}
	if c.bw != nil && c.dirty {
		// A peer that does not read gets the GOAWAY only if it takes it soon. After a
		// graceful drain, what is pending ends calls that were processed (the last
		// trailers): it gets the usual write timeout, so a slow link does not cut it off.
		if !c.graceful && (c.sock.timeout <= 0 || c.sock.timeout > goodbyeWriteTimeout) {
			c.sock.timeout = goodbyeWriteTimeout
		}
		_ = c.bw.Flush()
	}
	cause := c.closeErr
	if cause == nil {
		cause = errors.New("connection actor stopped")
	}
	c.log.Debug("actorrpc: connection closed", slog.Bool("client", c.p.Client), slog.Any("cause", cause))
	st := wire.NewStatus(wire.Unavailable, "connection closed: "+cause.Error())
	if c.channelClosed() {
		st = wire.NewStatus(wire.Canceled, "channel closed")
	}
	for id, s := range c.streams {
		c.sendReset(s.owner, &StreamReset{StreamID: id, Status: st})
	}
	for _, w := range c.waitingOpens {
		c.sendReset(w.owner, c.notOpened("connection closed before the stream was opened: %v", cause))
	}
	c.streams, c.waitingOpens = nil, nil
	if c.p.NetConn != nil {
		_ = c.p.NetConn.Close()
	}
	if c.reader != nil {
		close(c.reader.budget.quit)
		<-c.reader.done
	}
	if c.parent != nil {
		c.system.Root.Send(c.parent, &ConnectionClosed{Conn: c.self, Err: cause})
	}
}

// fail ends the connection after an I/O or protocol error.
func (c *conn) fail(ctx actor.Context, err error) {
	if c.closeErr == nil {
		c.closeErr = err
	}
	var ce http2.ConnectionError
	if errors.As(err, &ce) {
		c.goAway(http2.ErrCode(ce), err.Error())
	}
	ctx.Stop(c.self)
}

// goAway writes GOAWAY with the highest peer-initiated stream id we processed.
func (c *conn) goAway(code http2.ErrCode, debug string) {
	if c.sentGoAway {
		return
	}
	c.sentGoAway = true
	c.check(c.fr.WriteGoAway(c.lastPeerID, code, []byte(debug)))
	c.dirty = true
}

// afterMessage does what any message may have made possible: open waiting streams, and
// close a client connection the server is draining once its last stream ends.
func (c *conn) afterMessage(ctx actor.Context) {
	if len(c.waitingOpens) > 0 && c.ready {
		c.openWaiting(ctx)
	}
	if len(c.streams) > 0 || c.closing || c.closeErr != nil {
		return
	}
	switch {
	case c.goingAway && c.p.Client:
		c.closeErr, c.graceful = errors.New("server sent GOAWAY and every stream has ended"), true
		ctx.Stop(c.self)
	case c.draining:
		c.closeErr, c.graceful = errors.New("server drained the connection"), true
		ctx.Stop(c.self)
	}
}

// check records a write error; the connection then fails at the next flush point.
func (c *conn) check(err error) {
	if err != nil && c.closeErr == nil {
		c.closeErr = fmt.Errorf("write: %w", err)
	}
}

// writeBufferSize is the size of a connection's write buffer.
const writeBufferSize = 32 << 10

// minBatchSize is the buffered size below which maybeFlush yields once before it flushes.
// grpc-go's loopyWriter yields below 1000 bytes; 16 KiB lets calls of 1 KiB messages join
// a batch too (no latency cost measured with one caller).
const minBatchSize = 16 << 10

// maybeFlush flushes buffered frames when no other message is queued, so that many calls
// share one write syscall.
func (c *conn) maybeFlush(ctx actor.Context) {
	if c.closing {
		return
	}
	if c.closeErr != nil {
		ctx.Stop(c.self)
		return
	}
	if !c.dirty || !c.counter.onlyCurrentQueued() {
		return
	}
	if !c.yielded && c.bw.Buffered() < minBatchSize {
		// A small batch: let the goroutines that are about to post to us (call actors
		// answering, the reader with the next frames) run first, once, as grpc-go's
		// loopyWriter does before it flushes; what they post joins this write. With
		// nothing else runnable the yield returns at once, so a lone call waits no longer.
		c.yielded = true
		runtime.Gosched()
		if !c.counter.onlyCurrentQueued() {
			return // the next message's Receive flushes, without yielding again
		}
	}
	c.yielded = false
	c.flush()
	if c.closeErr != nil {
		ctx.Stop(c.self)
	}
}

// writeHeaderBlock HPACK-encodes fields and writes HEADERS (+ CONTINUATION) frames.
func (c *conn) writeHeaderBlock(id uint32, fields []hpack.HeaderField, endStream bool) {
	c.hbuf.Reset()
	for _, f := range fields {
		c.check(c.henc.WriteField(f))
	}
	block := c.hbuf.Bytes()
	c.noteDataSent()
	maxFrag := int(c.peer.maxFrameSize)
	first := true
	for first || len(block) > 0 {
		n := min(len(block), maxFrag)
		frag := block[:n]
		block = block[n:]
		if first {
			c.check(c.fr.WriteHeaders(http2.HeadersFrameParam{
				StreamID: id, BlockFragment: frag, EndStream: endStream, EndHeaders: len(block) == 0,
			}))
			first = false
		} else {
			c.check(c.fr.WriteContinuation(id, len(block) == 0, frag))
		}
	}
	c.dirty = true
}

// peerSide names the other end: "server" for a client connection, "client" for a server's.
func (c *conn) peerSide() string {
	if c.p.Client {
		return "server"
	}
	return "client"
}
