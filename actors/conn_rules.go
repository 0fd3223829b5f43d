package actors

import (
	"fmt"
	"strconv"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/wire"
)

// The stream rules of RFC 9113 a connection enforces beyond what http2.Framer checks:
// frames on closed streams, self-dependent priorities, content-length, and the requests a
// server answers without an actor. h2spec (.ci/h2spec.sh) checks them.

// resetRing remembers the last streams this connection reset (server role). RFC 9113 §5.1,
// closed: "An endpoint MUST ignore frames that it receives on closed streams after it has
// sent a RST_STREAM frame": the peer may have sent them before our RST_STREAM reached it.
// A stream that fell out of the ring gets RST_STREAM(STREAM_CLOSED) again, which is
// harmless.
type resetRing struct {
	ids  [32]uint32
	next int
}

func (r *resetRing) add(id uint32) {
	r.ids[r.next] = id
	r.next = (r.next + 1) % len(r.ids)
}

func (r *resetRing) has(id uint32) bool {
	for _, x := range r.ids {
		if x == id && id != 0 {
			return true
		}
	}
	return false
}

// writeReset writes RST_STREAM and, in the server role, remembers that we did.
func (c *conn) writeReset(id uint32, code http2.ErrCode) {
	c.check(c.fr.WriteRSTStream(id, code))
	c.dirty = true
	if !c.p.Client {
		c.resets.add(id)
	}
}

// onClosedStreamData answers DATA on a stream that is closed: neither idle nor in
// c.streams. RFC 9113 §6.1: "If a DATA frame is received whose stream is not in the "open"
// or "half-closed (local)" state, the recipient MUST respond with a stream error (Section
// 5.4.2) of type STREAM_CLOSED." Unless we reset the stream ourselves (resetRing). A
// client drops it, as before: its streams end by its own RST_STREAM(CANCEL), after which
// the server's DATA in flight is to be ignored.
func (c *conn) onClosedStreamData(id uint32) {
	if c.p.Client || c.resets.has(id) {
		return
	}
	c.writeReset(id, http2.ErrCodeStreamClosed)
}

// onPriority handles PRIORITY. RFC 9113 §5.3.2 deprecates RFC 7540's priority scheme, but
// its frames are still parsed, and RFC 7540 §5.3.1 says: "A stream cannot depend on
// itself. An endpoint MUST treat this as a stream error (Section 5.4.2) of type
// PROTOCOL_ERROR." Otherwise PRIORITY is ignored, in any stream state.
func (c *conn) onPriority(ctx actor.Context, f *frameMsg) {
	if f.selfDep {
		c.onStreamError(ctx, f.streamID, http2.ErrCodeProtocol)
	}
}

// newStreamRules checks what the connection itself must check on a request's HEADERS
// before anyone serves it, and returns the content-length it declares (has false when
// none), or why the request is malformed (RFC 9113 §8.1.1: "Malformed requests or
// responses that are detected MUST be treated as a stream error (Section 5.4.2) of type
// PROTOCOL_ERROR"). It reads the decoded fields once and allocates nothing.
func newStreamRules(f *frameMsg, end bool) (contentLength int64, has bool, malformed string) {
	if f.selfDep {
		// RFC 7540 §5.3.1 (see onPriority): "A stream cannot depend on itself."
		return 0, false, "HEADERS with a priority that depends on the stream itself"
	}
	contentLength, has, malformed = parseContentLength(f.fields())
	if malformed != "" {
		return 0, false, malformed
	}
	if has && end && contentLength != 0 {
		// RFC 9113 §8.1.1: "A request or response is also malformed if the value of a
		// content-length header field does not equal the sum of the DATA frame payload
		// lengths that form the content".
		return 0, false, fmt.Sprintf("content-length %d on a request without DATA", contentLength)
	}
	return contentLength, has, ""
}

// parseContentLength returns the content-length among fields. Repeated values must agree
// (RFC 9110 §8.6); a value that is not a decimal number makes the request malformed.
func parseContentLength(fields []hpack.HeaderField) (n int64, has bool, malformed string) {
	for _, f := range fields {
		if f.Name != "content-length" {
			continue
		}
		v, err := strconv.ParseUint(f.Value, 10, 63)
		if err != nil {
			return 0, false, fmt.Sprintf("content-length %q is not a number", f.Value)
		}
		if has && int64(v) != n {
			return 0, false, "content-length fields disagree"
		}
		n, has = int64(v), true
	}
	return n, has, ""
}

// contentCount is a request's declared content-length and the DATA payload bytes received
// so far, checked against each other.
type contentCount struct{ declared, received int64 }

// declareContentLength starts counting s's DATA against its content-length n.
func (c *conn) declareContentLength(s *stream, n int64) {
	if c.contentLengths == nil {
		c.contentLengths = make(map[uint32]contentCount)
	}
	c.contentLengths[s.id] = contentCount{declared: n}
	s.counted = true
}

// contentMismatch counts n bytes of DATA payload on s and reports whether they break the
// declared content-length: more than declared, or, at the end of the stream, other than
// declared (RFC 9113 §8.1.1, see newStreamRules).
func (c *conn) contentMismatch(s *stream, n int, end bool) bool {
	if !s.counted {
		return false
	}
	cc := c.contentLengths[s.id]
	cc.received += int64(n)
	c.contentLengths[s.id] = cc
	return cc.received > cc.declared || end && cc.received != cc.declared
}

// malformedContent ends a stream whose DATA broke its content-length.
func (c *conn) malformedContent(ctx actor.Context, s *stream) {
	cc := c.contentLengths[s.id]
	c.resetStream(s.id, http2.ErrCodeProtocol)
	c.sendReset(s.owner, &StreamReset{StreamID: s.id, Status: wire.Statusf(wire.Internal,
		"malformed request: client sent %d bytes of DATA with content-length %d", cc.received, cc.declared)})
}

// answerRefused answers, from the connection itself, a request NewStream refused without
// an actor: the header block, then the body if any, flow-controlled like any response. The
// stream lives on in HTTP/2 terms until the client ends it too: it counts toward
// MAX_CONCURRENT_STREAMS, and the client's later frames on it meet the stream rules
// (content-length, flow control, STREAM_CLOSED) instead of a reset sent before they were
// read. RFC 9113 §8.1 only allows that reset ("a server MAY request that the client abort
// transmission of a request without error by sending a RST_STREAM with an error code of
// NO_ERROR after sending a complete response"); an answer written synchronously, as this
// one is, would come before the request's own frames. Its facts (DataReceived,
// StreamReset) go to the connection, which ignores them.
func (c *conn) answerRefused(id uint32, owner StreamOwner, end bool, contentLength int64, hasContentLength bool) {
	s := c.newStream(id, c.self)
	s.refused, s.remoteEnded = true, end
	if hasContentLength {
		c.declareContentLength(s, contentLength)
	}
	if len(owner.RejectBody) == 0 {
		c.writeHeaderBlock(id, owner.Reject, true)
		c.localDone(s)
		return
	}
	c.writeHeaderBlock(id, owner.Reject, false)
	c.queueData(s, owner.RejectBody, nil, true)
}
