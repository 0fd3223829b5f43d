package actors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/wire"
)

// openStream allocates a client stream id and writes its HEADERS (and first DATA).
// Past the peer's MAX_CONCURRENT_STREAMS the open waits, as state, for a stream to end.
func (c *conn) openStream(ctx actor.Context, owner *actor.PID, m *OpenStream) {
	if owner == nil {
		return
	}
	if c.goingAway || c.sentGoAway || c.closeErr != nil {
		c.sendReset(owner, c.notOpened("connection is closing; stream not opened"))
		return
	}
	if st := c.overPeerHeaderLimit(m.Headers); st != nil {
		c.sendReset(owner, &StreamReset{Status: st})
		return
	}
	if uint32(len(c.streams)) >= c.peer.maxConcurrentStreams {
		c.waitingOpens = append(c.waitingOpens, pendingOpen{owner: owner, open: m})
		return
	}
	if c.nextStreamID > maxWindow {
		c.goAway(http2.ErrCodeNo, "stream ids exhausted")
		c.sendReset(owner, unprocessedReset(0, "stream ids exhausted on this connection"))
		return
	}
	id := c.nextStreamID
	c.nextStreamID += 2
	s := c.newStream(id, owner)
	s.manualFlow = m.ManualFlow
	c.writeHeaderBlock(id, m.Headers, m.EndStream && m.Data == nil)
	if m.Data == nil {
		s.localClosed = m.EndStream
		ctx.Send(owner, &StreamOpened{StreamID: id})
		return
	}
	if !m.ReportWritten {
		ctx.Send(owner, &StreamOpened{StreamID: id}) // before any DataSent
		c.queueData(s, m.Data, nil, m.EndStream)
		return
	}
	// Data the windows let out at once is reported with StreamOpened; the rest, once
	// written, with RequestWritten.
	c.queueData(s, m.Data, nil, m.EndStream)
	written := len(s.chunks) == 0
	s.reportWritten = !written
	ctx.Send(owner, &StreamOpened{StreamID: id, Written: written})
}

func (c *conn) newStream(id uint32, owner *actor.PID) *stream {
	s := &stream{
		id:         id,
		owner:      owner,
		sendWindow: c.peer.initialWindowSize,
		recv:       flowIn{window: int64(c.cfg.InitialWindowSize)},
	}
	c.streams[id] = s
	return s
}

// openWaiting opens streams that waited for MAX_CONCURRENT_STREAMS room.
func (c *conn) openWaiting(ctx actor.Context) {
	for len(c.waitingOpens) > 0 && uint32(len(c.streams)) < c.peer.maxConcurrentStreams && !c.goingAway && !c.sentGoAway {
		w := c.waitingOpens[0]
		c.waitingOpens = c.waitingOpens[1:]
		c.openStream(ctx, w.owner, w.open)
	}
}

// writeStream writes headers, then data and trailers subject to flow control.
func (c *conn) writeStream(m *WriteStream) {
	s := c.streams[m.StreamID]
	if s == nil || s.localClosed || s.endPending {
		return // reset or finished already: nothing more goes out on it
	}
	if m.ReleaseData && !s.releases && wire.Pooled(m.Data) {
		if c.releases == nil {
			c.releases = make(map[uint32][]byte)
		}
		c.releases[s.id], s.releases = m.Data, true
	}
	end := m.EndStream || m.Trailers != nil
	if m.Headers != nil {
		onlyHeaders := m.Data == nil && m.Trailers == nil
		c.writeHeaderBlock(s.id, m.Headers, end && onlyHeaders)
		if end && onlyHeaders {
			c.localDone(s)
			return
		}
	}
	c.queueData(s, m.Data, m.Trailers, end)
}

// queueData appends data (and the stream's end) to the stream's send queue and writes
// what the windows allow.
func (c *conn) queueData(s *stream, data []byte, trailers []hpack.HeaderField, end bool) {
	if len(data) > 0 {
		if s.chunks == nil {
			s.chunks = s.chunk0[:0]
		}
		s.chunks = append(s.chunks, data)
	}
	if trailers != nil {
		s.trailers = trailers
	}
	s.endPending = s.endPending || end
	c.drain(s)
}

// drain writes a stream's queued data as far as the stream and connection windows allow.
// RFC 9113 §6.9: a sender MUST NOT send a flow-controlled frame with a length that exceeds
// the space available in either of the flow-control windows advertised by the receiver.
func (c *conn) drain(s *stream) {
	if s.reportWritten {
		defer c.reportWritten(s)
	}
	if s.manualFlow {
		before := s.pendingBytes()
		defer func() {
			if sent := before - s.pendingBytes(); sent > 0 && s.owner != nil {
				c.system.Root.Send(s.owner, &DataSent{StreamID: s.id, N: sent})
			}
		}()
	}
	c.gather.on = c.gatherable(s)
	ended := c.writeChunks(s)
	c.flushGathered() // before localDone: forget gives a written buffer back to its pool
	if ended {
		c.localDone(s)
		return
	}
	if len(s.chunks) > 0 || !s.endPending || s.localClosed {
		return
	}
	if s.trailers != nil {
		c.writeHeaderBlock(s.id, s.trailers, true)
	} else {
		c.check(c.fr.WriteData(s.id, true, nil))
		c.dirty = true
	}
	c.localDone(s)
}

// writeChunks writes DATA frames of s's queue as far as the windows allow. It reports
// whether the last of them carried END_STREAM.
func (c *conn) writeChunks(s *stream) (ended bool) {
	for len(s.chunks) > 0 {
		allowed := min(c.sendConn, s.sendWindow, int64(c.peer.maxFrameSize), maxSendFrameSize)
		if allowed <= 0 {
			if c.sendConn <= 0 && !s.inBlocked {
				s.inBlocked = true
				c.blocked = append(c.blocked, s.id)
			}
			return false
		}
		chunk := s.chunks[0]
		n := min(int64(len(chunk)), allowed)
		last := n == int64(len(chunk)) && len(s.chunks) == 1
		endHere := last && s.endPending && s.trailers == nil
		c.check(c.writeData(s.id, endHere, chunk[:n]))
		c.dirty = true
		c.noteDataSent()
		c.sendConn -= n
		s.sendWindow -= n
		if n == int64(len(chunk)) {
			s.chunks[0] = nil
			s.chunks = s.chunks[1:]
		} else {
			s.chunks[0] = chunk[n:]
		}
		if endHere {
			return true
		}
	}
	return false
}

// reportWritten sends RequestWritten once nothing of the stream's data is left to write.
func (c *conn) reportWritten(s *stream) {
	if len(s.chunks) == 0 && s.owner != nil {
		s.reportWritten = false
		c.system.Root.Send(s.owner, &RequestWritten{StreamID: s.id})
	}
}

// localDone marks END_STREAM sent. A server that ends before the client half-closed resets
// the stream with NO_ERROR so the client stops sending (RFC 9113 §8.1), as grpc-go does;
// except for a stream the connection answered itself, which waits for the client's end
// (answerRefused).
func (c *conn) localDone(s *stream) {
	s.localClosed = true
	s.chunks, s.trailers = nil, nil
	if s.remoteEnded {
		c.forget(s)
		return
	}
	if !c.p.Client && !s.refused {
		c.writeReset(s.id, http2.ErrCodeNo)
		c.forget(s)
	}
}

// remoteDone marks END_STREAM received.
func (c *conn) remoteDone(s *stream) {
	s.remoteEnded = true
	if s.localClosed {
		c.forget(s)
	}
}

// forget drops a closed stream.
func (c *conn) forget(s *stream) {
	delete(c.streams, s.id)
	if len(c.streams) == 0 && c.p.Client {
		c.noStreamsSince = time.Now() // for the channel's idle timer (conn_direct.go)
	}
	if s.counted {
		delete(c.contentLengths, s.id)
	}
	if s.releases {
		wire.ReleaseBuffer(c.releases[s.id]) // written, or never to be: no one holds it now
		delete(c.releases, s.id)
	}
	c.noteStreamForgotten()
}

// consumeData refills a manual-flow stream's receive window as its owner consumes data.
func (c *conn) consumeData(id uint32, n int) {
	s := c.streams[id]
	if s == nil || s.remoteEnded || n <= 0 {
		return
	}
	if inc := s.recv.consume(int64(n), int64(c.cfg.InitialWindowSize)); inc > 0 {
		c.check(c.fr.WriteWindowUpdate(id, inc))
		c.dirty = true
	}
}

// resetStream sends RST_STREAM for a stream we give up on.
func (c *conn) resetStream(id uint32, code http2.ErrCode) {
	s := c.streams[id]
	if s == nil {
		return
	}
	c.writeReset(id, code)
	c.forget(s)
}

// onWindowUpdate applies a WINDOW_UPDATE and writes what it unblocks.
func (c *conn) onWindowUpdate(ctx actor.Context, id uint32, inc uint32) {
	if id == 0 {
		if c.sendConn+int64(inc) > maxWindow {
			c.fail(ctx, http2.ConnectionError(http2.ErrCodeFlowControl))
			return
		}
		c.sendConn += int64(inc)
		blocked := c.blocked
		c.blocked = nil
		for _, sid := range blocked {
			if s := c.streams[sid]; s != nil {
				s.inBlocked = false
				c.drain(s)
			}
		}
		return
	}
	s := c.streams[id]
	if s == nil {
		if c.idle(id) {
			c.fail(ctx, fmt.Errorf("%w: WINDOW_UPDATE on idle stream %d", http2.ConnectionError(http2.ErrCodeProtocol), id))
		}
		return
	}
	if s.sendWindow+int64(inc) > maxWindow {
		// RFC 9113 §6.9.1: "If a sender receives a WINDOW_UPDATE that causes a flow-control
		// window to exceed this maximum, it MUST terminate either the stream or the
		// connection, as appropriate. For streams, the sender sends a RST_STREAM with an
		// error code of FLOW_CONTROL_ERROR".
		c.resetStream(id, http2.ErrCodeFlowControl)
		c.sendReset(s.owner, &StreamReset{StreamID: id, Status: wire.NewStatus(wire.Internal, "peer overflowed the stream's flow-control window")})
		return
	}
	s.sendWindow += int64(inc)
	c.drain(s)
}
