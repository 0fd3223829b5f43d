package actors

import (
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/wire"
)

// The limits a connection announces and enforces against a hostile or careless peer.
const (
	// DefaultMaxConcurrentStreams is the SETTINGS_MAX_CONCURRENT_STREAMS a server announces
	// unless configured. RFC 9113 §6.5.2 recommends no less than 100; x/net's server
	// announces 250, grpc-go announces nothing (unlimited).
	DefaultMaxConcurrentStreams = 1000
	// DefaultMaxHeaderListSize is the SETTINGS_MAX_HEADER_LIST_SIZE both sides announce and
	// enforce unless configured: 16 KiB, gRPC C-core's hard metadata limit (grpc-java's is
	// 8 KiB), so that whatever a client in another language may send, we accept, while a
	// peer cannot make us hold megabytes of headers per stream (grpc-go's 16 MiB default).
	DefaultMaxHeaderListSize = 16 << 10
	// defaultMaxQueuedControlFrames caps the peer's PING and SETTINGS frames waiting for
	// our answer, as x/net's server does (maxQueuedControlFrames).
	defaultMaxQueuedControlFrames = 10000
	// earlyResetFactor bounds the stream actors still alive after their stream ended (a
	// client reset it, their handler has not returned yet): up to this many times
	// MAX_CONCURRENT_STREAMS, beyond the streams open. x/net's server queues up to
	// 4×MAX_CONCURRENT_STREAMS handlers beyond those running, then answers
	// GOAWAY(ENHANCE_YOUR_CALM) ("too_many_early_resets"); this is the same bound.
	earlyResetFactor = 4
)

// limitsWithDefaults fills in the limits left zero.
func (c ConnConfig) limitsWithDefaults() ConnConfig {
	if c.MaxHeaderListSize == 0 {
		c.MaxHeaderListSize = DefaultMaxHeaderListSize
	}
	if c.MaxConcurrentStreams == 0 {
		c.MaxConcurrentStreams = DefaultMaxConcurrentStreams
	}
	if c.MaxQueuedControlFrames <= 0 {
		c.MaxQueuedControlFrames = defaultMaxQueuedControlFrames
	}
	return c
}

// refuseStream answers a new stream the server will not serve now. RFC 9113 §5.1.2: "An
// endpoint that receives a HEADERS frame that causes its advertised concurrent stream limit
// to be exceeded MUST treat this as a stream error of type PROTOCOL_ERROR or
// REFUSED_STREAM." REFUSED_STREAM tells the client the stream was not processed, so it may
// retry it (gRPC clients do so transparently).
func (c *conn) refuseStream(id uint32) {
	c.writeReset(id, http2.ErrCodeRefusedStream)
}

// overStreamLimit reports whether a new stream from the client exceeds the
// MAX_CONCURRENT_STREAMS we announced.
func (c *conn) overStreamLimit() bool {
	return uint32(len(c.streams)) >= c.cfg.MaxConcurrentStreams
}

// tooManyEarlyResets reports whether the stream actors alive (serving a stream, or ended
// by the client's RST_STREAM but with a handler still running) reach the bound that marks
// the rapid-reset attack, CVE-2023-44487: a client that opens streams and resets them at
// once keeps the server starting handlers while staying under MAX_CONCURRENT_STREAMS.
func (c *conn) tooManyEarlyResets() bool {
	return c.liveOwners >= int(c.cfg.MaxConcurrentStreams)*(1+earlyResetFactor)
}

// enhanceYourCalm is the connection error for a peer that floods us.
func enhanceYourCalm(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{http2.ConnectionError(http2.ErrCodeEnhanceYourCalm)}, args...)...)
}

// controlQueue counts the peer's PING and SETTINGS frames that wait for our answer to be
// written: the reader goroutine adds as it reads them, the connection actor subtracts as
// it flushes the answers. It is the one counter two goroutines share (like
// mailboxCounter); it carries no state of the connection.
type controlQueue struct {
	max     int64
	pending atomic.Int64
}

// read counts one control frame read; false means too many are waiting (GOAWAY).
func (q *controlQueue) read() bool { return q.pending.Add(1) <= q.max }

// answered counts n answers written to the socket.
func (q *controlQueue) answered(n int64) { q.pending.Add(-n) }

// needsAnswer reports whether the reader counts f as a control frame we must answer.
func needsAnswer(f http2.Frame) bool {
	switch f := f.(type) {
	case *http2.PingFrame:
		return !f.IsAck()
	case *http2.SettingsFrame:
		return !f.IsAck()
	}
	return false
}

// answerFlushEvery is how many control-frame answers may wait in the write buffer before
// the actor flushes them even though more messages are queued: it keeps controlQueue
// truthful while a flood is being answered at full speed.
const answerFlushEvery = 512

// noteAnswer records a control frame answered (written to the buffer) and flushes once
// enough answers wait.
func (c *conn) noteAnswer() {
	c.unflushedAnswers++
	c.dirty = true
	if c.unflushedAnswers >= answerFlushEvery {
		c.flush()
	}
}

// flush writes the buffer to the socket and releases the control-frame answers in it.
func (c *conn) flush() {
	c.dirty = false
	if err := c.bw.Flush(); err != nil {
		c.check(err)
		return
	}
	if c.unflushedAnswers > 0 {
		c.control.answered(c.unflushedAnswers)
		c.unflushedAnswers = 0
	}
}

// headerListSize is a header list's size as SETTINGS_MAX_HEADER_LIST_SIZE counts it
// (RFC 9113 §6.5.2: name and value lengths plus 32 bytes per field).
func headerListSize(fields []hpack.HeaderField) uint64 {
	var n uint64
	for _, f := range fields {
		n += uint64(f.Size())
	}
	return n
}

// overPeerHeaderLimit checks a header list we are about to send against the peer's
// SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §10.5.1: a peer may refuse a larger one), and
// returns the status to end the call with, or nil.
func (c *conn) overPeerHeaderLimit(fields []hpack.HeaderField) *wire.Status {
	size := headerListSize(fields)
	if size <= uint64(c.peer.maxHeaderListSize) {
		return nil
	}
	return wire.Statusf(wire.Internal, "header list of %d bytes exceeds the peer's SETTINGS_MAX_HEADER_LIST_SIZE (%d bytes)",
		size, c.peer.maxHeaderListSize)
}

// headerListTooLargeFields answers a request whose header list exceeded our
// MaxHeaderListSize. RFC 9113 §10.5.1: "A server that receives a larger header section
// than it is willing to handle can send an HTTP 431 (Request Header Fields Too Large)
// status code"; gRPC clients read the grpc-status, RESOURCE_EXHAUSTED, as the cause.
func (c *conn) headerListTooLargeFields() []hpack.HeaderField {
	return []hpack.HeaderField{
		{Name: ":status", Value: "431"},
		{Name: "content-type", Value: "application/grpc"},
		{Name: "grpc-status", Value: strconv.Itoa(int(wire.ResourceExhausted))},
		{Name: "grpc-message", Value: wire.EncodeGrpcMessage(fmt.Sprintf(
			"request header list exceeds the server's SETTINGS_MAX_HEADER_LIST_SIZE (%d bytes)", c.cfg.MaxHeaderListSize))},
	}
}

// responseHeadersTooLarge ends a client stream whose response header block exceeded our
// MaxHeaderListSize: the headers are lost, so the call cannot go on.
func (c *conn) responseHeadersTooLarge(ctx actor.Context, s *stream) {
	c.resetStream(s.id, http2.ErrCodeCancel)
	c.sendReset(s.owner, &StreamReset{StreamID: s.id, Status: wire.Statusf(wire.ResourceExhausted,
		"server sent a header list larger than the client's SETTINGS_MAX_HEADER_LIST_SIZE (%d bytes)", c.cfg.MaxHeaderListSize)})
}
