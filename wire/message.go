package wire

import (
	"encoding/binary"
	"math"
)

// PROTOCOL-HTTP2.md:
//
//	Length-Prefixed-Message → Compressed-Flag Message-Length Message
//	Compressed-Flag → 0 / 1 ; encoded as 1 byte unsigned integer
//	Message-Length → {length of Message} ; encoded as 4 byte unsigned integer (big endian)
//	Message → *{binary octet}

// MessagePrefixLen is the length of the prefix of a Length-Prefixed-Message:
// one byte compressed flag and four bytes big-endian message length.
const MessagePrefixLen = 5

// DefaultMaxRecvMessageSize is the largest message a Decoder accepts when
// its MaxSize is 0 (4 MiB, as in grpc-go).
const DefaultMaxRecvMessageSize = 4 << 20

// DefaultMaxSendMessageSize is the default limit on the size of sent
// messages (math.MaxInt32, as in grpc-go).
const DefaultMaxSendMessageSize = math.MaxInt32

// AppendMessage appends payload to dst as a Length-Prefixed-Message, with the
// Compressed-Flag set when compressed is true. The caller must keep payload
// below 4 GiB (and normally below DefaultMaxSendMessageSize).
func AppendMessage(dst []byte, payload []byte, compressed bool) []byte {
	var flag byte
	if compressed {
		flag = 1
	}
	dst = append(dst, flag)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	return append(dst, payload...)
}

// decodedMessage is a complete message waiting to be returned by Next.
type decodedMessage struct {
	payload    []byte
	compressed bool
	pooled     []byte // the pooled buffer payload lies in (PoolLarge), or nil
}

// Decoder reassembles Length-Prefixed-Messages from the payloads of DATA
// frames, which may split and join messages arbitrarily. The zero value is
// ready to use. A Decoder is not safe for concurrent use.
//
// Each message body is copied exactly once, from the fed chunks into a
// buffer of its announced size that is handed to the caller by Next.
type Decoder struct {
	// MaxSize is the largest message payload accepted; 0 means
	// DefaultMaxRecvMessageSize.
	MaxSize int
	// PoolLarge makes the bodies of large messages (poolMin and more) come from a pool;
	// the caller gives them back with Release once it is done with what Next returned.
	PoolLarge bool

	bodyBuf  []byte   // the pooled buffer body lies in, or nil
	returned [][]byte // pooled buffers of the messages Next returned, for Release

	prefix    [MessagePrefixLen]byte
	prefixLen int    // bytes of prefix held
	body      []byte // body of the current message, len = bytes received, cap = announced length
	inBody    bool   // prefix complete, body being received
	// first, when hasFirst, is the oldest complete message not yet returned; later ones
	// queue in ready (a call of one message needs no queue).
	first     decodedMessage
	hasFirst  bool
	ready     []decodedMessage // complete messages not yet returned, after first
	readyHead int              // index of the next message in ready
	err       error            // sticky error, returned after ready drains
}

// Feed adds a chunk of DATA payload. It copies what it keeps, so the caller
// may reuse chunk afterwards. After an error has been detected, further
// input is ignored.
func (d *Decoder) Feed(chunk []byte) {
	for len(chunk) > 0 && d.err == nil {
		if !d.inBody {
			chunk = d.feedPrefix(chunk)
			continue
		}
		n := min(cap(d.body)-len(d.body), len(chunk))
		d.body = append(d.body, chunk[:n]...)
		chunk = chunk[n:]
		if len(d.body) == cap(d.body) {
			d.completeMessage()
		}
	}
}

// FeedOwned is Feed for a chunk the caller hands over: a message that lies whole in it,
// prefix included, is queued as a slice of chunk, without a copy; the rest is copied as
// Feed does. It reports whether it kept a slice of chunk: if not, the caller may reuse
// chunk at once; if so, not before it is done with the payloads Next returns.
func (d *Decoder) FeedOwned(chunk []byte) (kept bool) {
	for len(chunk) >= MessagePrefixLen && !d.inBody && d.prefixLen == 0 && d.err == nil {
		n := binary.BigEndian.Uint32(chunk[1:MessagePrefixLen])
		if uint64(len(chunk)-MessagePrefixLen) < uint64(n) {
			break
		}
		copy(d.prefix[:], chunk[:MessagePrefixLen])
		if err := d.checkPrefix(); err != nil {
			d.err = err
			return kept
		}
		end := MessagePrefixLen + int(n)
		d.body = chunk[MessagePrefixLen:end:end]
		d.completeMessage()
		chunk = chunk[end:]
		kept = true
	}
	d.Feed(chunk)
	return kept
}

// feedPrefix consumes prefix bytes from chunk and, once the prefix is
// complete, validates it and starts the body. It returns the rest of chunk.
func (d *Decoder) feedPrefix(chunk []byte) []byte {
	n := copy(d.prefix[d.prefixLen:], chunk)
	d.prefixLen += n
	chunk = chunk[n:]
	if d.prefixLen < MessagePrefixLen {
		return chunk
	}
	if err := d.checkPrefix(); err != nil {
		d.err = err
		return nil
	}
	d.inBody = true
	length := binary.BigEndian.Uint32(d.prefix[1:])
	if d.PoolLarge && length >= poolMin {
		d.bodyBuf = largeBuffer(int(length))
		d.body = d.bodyBuf[:0:length]
		return chunk
	}
	d.body = make([]byte, 0, length)
	if length == 0 {
		d.completeMessage()
	}
	return chunk
}

// checkPrefix validates a complete prefix: the compressed flag and, before
// any of the body is buffered, the announced length.
func (d *Decoder) checkPrefix() error {
	if flag := d.prefix[0]; flag > 1 {
		// Compressed-Flag → 0 / 1
		return Statusf(Internal, "grpc: invalid compressed flag %d in message prefix (want 0 or 1)", flag)
	}
	length := uint64(binary.BigEndian.Uint32(d.prefix[1:]))
	if limit := d.maxSize(); length > uint64(limit) {
		return Statusf(ResourceExhausted, "grpc: received message larger than max (%d vs. %d)", length, limit)
	}
	return nil
}

func (d *Decoder) maxSize() int {
	if d.MaxSize > 0 {
		return d.MaxSize
	}
	return DefaultMaxRecvMessageSize
}

// completeMessage queues the current message and resets the framing state.
func (d *Decoder) completeMessage() {
	m := decodedMessage{payload: d.body, compressed: d.prefix[0] == 1, pooled: d.bodyBuf}
	d.body, d.bodyBuf = nil, nil
	d.inBody = false
	d.prefixLen = 0
	if d.readyHead == len(d.ready) {
		d.ready = d.ready[:0]
		d.readyHead = 0
		if !d.hasFirst {
			d.first, d.hasFirst = m, true
			return
		}
	}
	d.ready = append(d.ready, m)
}

// Next returns the next complete message. ok is false when more input is
// needed (err nil) or when an error was detected (err non-nil). err is a
// *Status: RESOURCE_EXHAUSTED when a prefix announces more than MaxSize,
// INTERNAL for a compressed flag other than 0 or 1. Errors are sticky and
// are reported after the messages that preceded them. The payload belongs to
// the caller; the Decoder never touches it again.
func (d *Decoder) Next() (payload []byte, compressed bool, ok bool, err error) {
	if d.hasFirst || d.readyHead < len(d.ready) {
		var m decodedMessage
		if d.hasFirst {
			m, d.first, d.hasFirst = d.first, decodedMessage{}, false
		} else {
			m = d.ready[d.readyHead]
			d.ready[d.readyHead] = decodedMessage{}
			d.readyHead++
		}
		if m.pooled != nil {
			d.returned = append(d.returned, m.pooled)
		}
		return m.payload, m.compressed, true, nil
	}
	return nil, false, false, d.err
}

// Buffered returns the number of bytes of an incomplete message held: prefix
// bytes plus body bytes received so far.
func (d *Decoder) Buffered() int {
	if d.inBody {
		return MessagePrefixLen + len(d.body)
	}
	return d.prefixLen
}

// Finish is called when the stream ends (END_STREAM). It returns nil if no
// partial message is held, else an INTERNAL *Status; a stream must not end
// in the middle of a message.
func (d *Decoder) Finish() error {
	switch {
	case d.inBody:
		return Statusf(Internal, "grpc: truncated message: got %d of %d bytes", len(d.body), cap(d.body))
	case d.prefixLen > 0:
		return Statusf(Internal, "grpc: truncated message: got %d of %d prefix bytes", d.prefixLen, MessagePrefixLen)
	}
	return nil
}

// Release gives back to the pool the buffers of the large messages Next has returned
// (PoolLarge): the caller must be done with those payloads, and keep no slice of them.
func (d *Decoder) Release() {
	for i, b := range d.returned {
		PutBuffer(b)
		d.returned[i] = nil
	}
	d.returned = d.returned[:0]
}

// Pooled reports whether b may have come from the buffer pools (EncodeMessagePooled of a
// message of encodePoolMin bytes or more): ReleaseBuffer would take it.
func Pooled(b []byte) bool {
	c := cap(b)
	return c >= encodePoolMin && c <= poolMax && c&(c-1) == 0
}

// ReleaseBuffer gives b, a buffer EncodeMessagePooled returned, back to the pool once no one
// refers to it (nor to any slice of it). Other buffers are left alone.
func ReleaseBuffer(b []byte) {
	if Pooled(b) {
		PutBuffer(b)
	}
}

// Large message bodies (poolMin and more) come from the buffer pools, up to poolMax, and so
// do encoded messages of encodePoolMin and more (EncodeMessagePooled).
const (
	poolMin = 1 << 16
	// encodePoolMin is the smallest encoded message EncodeMessagePooled puts in a pooled
	// buffer: below it a buffer of its own costs less than the pool's bookkeeping.
	encodePoolMin = 512
	poolMax       = 1 << bufPoolMaxShift
)

// largeBuffer returns a buffer of at least n bytes (poolMin <= n), pooled up to poolMax.
func largeBuffer(n int) []byte { return GetBuffer(n) }
