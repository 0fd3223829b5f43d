package actors

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2"

	"github.com/actorrpc/actorrpc/wire"
)

// onFrame handles one frame from the reader.
func (c *conn) onFrame(ctx actor.Context, f *frameMsg) {
	switch f.typ {
	case http2.FrameSettings:
		c.onSettings(ctx, f)
	case http2.FramePing:
		if f.flags.Has(http2.FlagPingAck) {
			c.onPingAck(f.payload())
			return
		}
		if !c.p.Client && c.pingTooSoon(ctx) {
			return
		}
		var data [8]byte
		copy(data[:], f.payload())
		c.check(c.fr.WritePing(true, data))
		c.noteAnswer()
	case http2.FrameWindowUpdate:
		c.onWindowUpdate(ctx, f.streamID, f.increment)
	case http2.FrameHeaders:
		c.onHeaders(ctx, f)
	case http2.FrameData:
		c.onData(ctx, f)
	case http2.FrameRSTStream:
		c.onRSTStream(ctx, f)
	case http2.FramePriority:
		c.onPriority(ctx, f)
	case http2.FrameGoAway:
		c.onGoAway(ctx, f)
	case http2.FramePushPromise:
		// RFC 9113 §8.4: a client that disabled push treats PUSH_PROMISE as a connection
		// error of type PROTOCOL_ERROR; a server never receives one.
		c.fail(ctx, http2.ConnectionError(http2.ErrCodeProtocol))
	case frameStreamError:
		c.onStreamError(ctx, f.streamID, f.errCode)
	}
}

func (c *conn) onSettings(ctx actor.Context, f *frameMsg) {
	if f.flags.Has(http2.FlagSettingsAck) {
		return
	}
	delta, err := c.peer.apply(f.settings)
	if err != nil {
		c.fail(ctx, err)
		return
	}
	c.henc.SetMaxDynamicTableSizeLimit(c.peer.headerTableSize)
	c.check(c.fr.WriteSettingsAck())
	c.noteAnswer()
	if delta != 0 {
		// RFC 9113 §6.9.2: a change of SETTINGS_INITIAL_WINDOW_SIZE adjusts every stream's
		// window by the difference; windows may go negative.
		for _, s := range c.streams {
			s.sendWindow += delta
			if delta > 0 {
				c.drain(s)
			}
		}
	}
	if !c.ready {
		c.ready = true
		if c.p.Client && c.parent != nil {
			ctx.Send(c.parent, &ConnectionReady{Conn: c.self})
		}
	}
	c.openWaiting(ctx)
}

// onHeaders routes a header block: a new stream (server role) or headers/trailers of a
// known one.
func (c *conn) onHeaders(ctx actor.Context, f *frameMsg) {
	end := f.flags.Has(http2.FlagHeadersEndStream)
	s := c.streams[f.streamID]
	if s == nil {
		if c.p.Client {
			return // a stream we reset or finished: ignore
		}
		c.acceptStream(ctx, f, end)
		return
	}
	if f.truncated {
		c.responseHeadersTooLarge(ctx, s)
		return
	}
	if f.selfDep {
		// RFC 7540 §5.3.1 (see onPriority): "A stream cannot depend on itself."
		c.resetStream(s.id, http2.ErrCodeProtocol)
		c.sendReset(s.owner, &StreamReset{StreamID: s.id, Status: wire.NewStatus(wire.Internal, "peer sent HEADERS with a priority that depends on the stream itself")})
		return
	}
	if s.remoteEnded {
		c.resetStream(s.id, http2.ErrCodeStreamClosed)
		c.sendReset(s.owner, &StreamReset{StreamID: s.id, Status: wire.NewStatus(wire.Internal, "peer sent HEADERS after END_STREAM")})
		return
	}
	if !c.p.Client && !end {
		// Trailers from a client must end the stream (RFC 9113 §8.1).
		c.resetStream(s.id, http2.ErrCodeProtocol)
		c.sendReset(s.owner, &StreamReset{StreamID: s.id, Status: wire.NewStatus(wire.Internal, "client sent a second HEADERS without END_STREAM")})
		return
	}
	if end && c.contentMismatch(s, 0, true) {
		c.malformedContent(ctx, s)
		return
	}
	f.headersFact = HeadersReceived{StreamID: s.id, Fields: f.fields(), EndStream: end}
	ctx.Send(s.owner, &f.headersFact)
	if end {
		c.remoteDone(s)
	}
}

// acceptStream opens a stream the client started (server role).
func (c *conn) acceptStream(ctx actor.Context, f *frameMsg, end bool) {
	id := f.streamID
	// RFC 9113 §5.1.1: streams initiated by a client MUST use odd-numbered stream
	// identifiers, and a new identifier must be greater than all it has opened.
	if id%2 == 0 || id <= c.lastPeerID {
		if id%2 == 1 && c.resets.has(id) {
			return // trailers sent before our RST_STREAM reached the client: ignore (resetRing)
		}
		c.fail(ctx, fmt.Errorf("%w: client opened stream %d after %d", http2.ConnectionError(http2.ErrCodeProtocol), id, c.lastPeerID))
		return
	}
	if c.tooManyEarlyResets() {
		// Before lastPeerID moves: the GOAWAY names the last stream we acted on.
		c.fail(ctx, enhanceYourCalm("too_many_early_resets: %d stream actors still alive with %d streams open (rapid reset, CVE-2023-44487)",
			c.liveOwners, len(c.streams)))
		return
	}
	c.lastPeerID = id
	if c.sentGoAway || c.p.NewStream == nil || c.overStreamLimit() {
		c.refuseStream(id)
		return
	}
	if f.truncated {
		c.writeHeaderBlock(id, c.headerListTooLargeFields(), true)
		if !end {
			c.writeReset(id, http2.ErrCodeNo)
		}
		return
	}
	contentLength, hasContentLength, malformed := newStreamRules(f, end)
	if malformed != "" {
		c.writeReset(id, http2.ErrCodeProtocol)
		return
	}
	owner := c.p.NewStream(ctx, IncomingStream{Conn: c.self, StreamID: id, Fields: f.fields(), EndStream: end})
	if owner.PID == nil {
		if owner.Malformed != "" {
			c.writeReset(id, http2.ErrCodeProtocol)
			return
		}
		c.answerRefused(id, owner, end, contentLength, hasContentLength)
		return
	}
	c.liveOwners++
	s := c.newStream(id, nil)
	s.owner, s.manualFlow = owner.PID, owner.ManualFlow
	if hasContentLength {
		c.declareContentLength(s, contentLength)
	}
	if end {
		c.remoteDone(s)
	}
}

func (c *conn) onData(ctx actor.Context, f *frameMsg) {
	n := int64(f.length)
	if !c.recvConn.take(n) {
		c.flushRun(ctx)
		// RFC 9113 §6.9.1: a receiver MAY treat a sender overrunning the window as a
		// connection error of type FLOW_CONTROL_ERROR.
		c.fail(ctx, fmt.Errorf("%w: peer overran the connection window", http2.ConnectionError(http2.ErrCodeFlowControl)))
		return
	}
	if inc := c.recvConn.consume(n, int64(c.cfg.InitialConnWindowSize)); inc > 0 {
		c.check(c.fr.WriteWindowUpdate(0, inc))
		c.dirty = true
	}
	s := c.streams[f.streamID]
	if s == nil {
		if c.idle(f.streamID) {
			c.flushRun(ctx)
			c.fail(ctx, fmt.Errorf("%w: DATA on idle stream %d", http2.ConnectionError(http2.ErrCodeProtocol), f.streamID))
			return
		}
		c.onClosedStreamData(f.streamID) // its bytes were counted on the connection
		return
	}
	if s.remoteEnded {
		c.flushRun(ctx)
		c.resetStream(s.id, http2.ErrCodeStreamClosed)
		c.sendReset(s.owner, &StreamReset{StreamID: s.id, Status: wire.NewStatus(wire.Internal, "peer sent DATA after END_STREAM")})
		return
	}
	if !s.recv.take(n) {
		c.flushRun(ctx)
		c.resetStream(s.id, http2.ErrCodeFlowControl)
		c.sendReset(s.owner, &StreamReset{StreamID: s.id, Status: wire.NewStatus(wire.Internal, "peer overran the stream's flow-control window")})
		return
	}
	end := f.flags.Has(http2.FlagDataEndStream)
	if c.contentMismatch(s, len(f.payload()), end) {
		c.flushRun(ctx)
		c.malformedContent(ctx, s)
		return
	}
	if !end && !s.manualFlow {
		if inc := s.recv.consume(n, int64(c.cfg.InitialWindowSize)); inc > 0 {
			c.check(c.fr.WriteWindowUpdate(s.id, inc))
			c.dirty = true
		}
	}
	if len(f.payload()) > 0 || end {
		f.dataFact = DataReceived{StreamID: s.id, Data: f.payload(), EndStream: end}
		if s.manualFlow {
			c.addToRun(ctx, s, &f.dataFact) // posted with the batch's others (conn_data_run.go)
		} else {
			ctx.Send(s.owner, &f.dataFact)
		}
	}
	if end {
		c.remoteDone(s)
	}
}

func (c *conn) onRSTStream(ctx actor.Context, f *frameMsg) {
	s := c.streams[f.streamID]
	if s == nil {
		if c.idle(f.streamID) {
			c.fail(ctx, fmt.Errorf("%w: RST_STREAM on idle stream %d", http2.ConnectionError(http2.ErrCodeProtocol), f.streamID))
		}
		return
	}
	c.forget(s)
	if c.p.Client && f.errCode == http2.ErrCodeRefusedStream {
		c.sendReset(s.owner, unprocessedReset(s.id, "server refused the stream (REFUSED_STREAM)"))
		return
	}
	c.sendReset(s.owner, &StreamReset{StreamID: s.id, Status: resetStatus(f.errCode)})
}

func (c *conn) onStreamError(ctx actor.Context, id uint32, code http2.ErrCode) {
	c.writeReset(id, code)
	if s := c.streams[id]; s != nil {
		c.forget(s)
		c.sendReset(s.owner, &StreamReset{StreamID: id, Status: wire.NewStatus(wire.Internal, "stream error: "+code.String())})
	}
}

// onGoAway stops new streams; streams above the last id were never processed and may be
// retried elsewhere; the others go on to completion. The channel hears of the GOAWAY first,
// so that a call retrying at once is not given this connection again.
func (c *conn) onGoAway(ctx actor.Context, f *frameMsg) {
	if !c.p.Client {
		// RFC 9113 §6.8: the last stream identifier of a client's GOAWAY names the
		// server-initiated streams it processed (there are none: we do not push); the
		// client's own streams go on. As x/net's server does, drain: no new streams, the
		// open ones end normally, then the connection closes.
		c.startDrain(fmt.Sprintf("client sent GOAWAY(%s)", f.errCode))
		return
	}
	c.goingAway = true
	debug := string(f.payload())
	if c.parent != nil {
		ctx.Send(c.parent, &GoAwayReceived{Conn: c.self, Code: f.errCode, LastStreamID: f.lastID, Debug: debug})
	}
	for id, s := range c.streams {
		if id > f.lastID {
			c.forget(s)
			c.sendReset(s.owner, unprocessedReset(id, "server sent GOAWAY(%s) before processing the call: %s", f.errCode, debug))
		}
	}
	for _, w := range c.waitingOpens {
		c.sendReset(w.owner, unprocessedReset(0, "server sent GOAWAY(%s) before the stream opened: %s", f.errCode, debug))
	}
	c.waitingOpens = nil
}

// idle reports whether stream id was never opened. RFC 9113 §5.1: "Receiving any frame
// other than HEADERS or PRIORITY on a stream in this state MUST be treated as a connection
// error of type PROTOCOL_ERROR." Even ids are server-initiated, and neither side pushes.
func (c *conn) idle(id uint32) bool {
	if id%2 == 0 {
		return true
	}
	if c.p.Client {
		return id >= c.nextStreamID
	}
	return id > c.lastPeerID
}

// resetStatus maps a peer's RST_STREAM code to a gRPC status (PROTOCOL-HTTP2.md, "Errors").
func resetStatus(code http2.ErrCode) *wire.Status {
	var c wire.Code
	switch code {
	case http2.ErrCodeRefusedStream:
		c = wire.Unavailable
	case http2.ErrCodeCancel:
		c = wire.Canceled
	case http2.ErrCodeEnhanceYourCalm:
		c = wire.ResourceExhausted
	case http2.ErrCodeInadequateSecurity:
		c = wire.PermissionDenied
	default:
		c = wire.Internal
	}
	return wire.NewStatus(c, "stream reset by peer: RST_STREAM("+code.String()+")")
}
