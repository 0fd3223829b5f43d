package streamactor

import (
	"math/bits"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/wire"
)

// A handle's messages below wire's own pool of large buffers are encoded into buffers from
// pools by power-of-two size (256 B to 32 KiB), and the outbox gives each back once the
// connection reports it written (actors.DataSent): its bytes are then in the connection's
// write buffer, and nothing refers to it. (sync.Pool's mutex lives inside the pool, at the
// API edge.)
const (
	sendPoolMinShift = 8
	sendPoolMaxShift = 15
)

var sendPools [sendPoolMaxShift - sendPoolMinShift + 1]sync.Pool

// Outgoing is one encoded, length-prefixed message on its way to a stream actor.
type Outgoing struct {
	Data []byte
	// pooled, when set, is Data's buffer, from sendPools.
	pooled *[]byte
}

// Encode marshals m as a length-prefixed message, compressed with comp (nil for none),
// failing RESOURCE_EXHAUSTED above maxSend bytes. An uncompressed message of up to 32 KiB
// goes into a pooled buffer that the stream gives back once written.
func Encode(m proto.Message, comp wire.Compressor, maxSend int) (Outgoing, error) {
	if comp != nil {
		data, err := wire.EncodeMessage(m, comp, maxSend)
		return Outgoing{Data: data}, err
	}
	size := proto.Size(m)
	shift := bits.Len(uint(wire.MessagePrefixLen + size - 1))
	if size > maxSend || shift > sendPoolMaxShift {
		data, err := wire.MarshalMessage(m, maxSend) // its error for a message too large
		return Outgoing{Data: data}, err
	}
	p := getSendBuffer(wire.MessagePrefixLen + size)
	buf, err := proto.MarshalOptions{UseCachedSize: true}.MarshalAppend((*p)[:wire.MessagePrefixLen], m)
	if err != nil {
		putSendBuffer(p)
		return Outgoing{}, wire.Statusf(wire.Internal, "grpc: error while marshaling: %v", err)
	}
	n := len(buf) - wire.MessagePrefixLen
	buf[0], buf[1], buf[2], buf[3], buf[4] = 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	if cap(buf) != cap(*p) { // the message grew while being marshalled: not the pool's
		putSendBuffer(p)
		return Outgoing{Data: buf}, nil
	}
	return Outgoing{Data: buf, pooled: p}, nil
}

// getSendBuffer returns an empty buffer of at least n bytes (n at most 32 KiB) from its
// pool.
func getSendBuffer(n int) *[]byte {
	shift := max(bits.Len(uint(n-1)), sendPoolMinShift)
	p, _ := sendPools[shift-sendPoolMinShift].Get().(*[]byte)
	if p == nil {
		b := make([]byte, 0, 1<<shift)
		p = &b
	}
	return p
}

// putSendBuffer gives a buffer back to its pool.
func putSendBuffer(p *[]byte) {
	c := cap(*p)
	shift := bits.Len(uint(c - 1))
	if c&(c-1) != 0 || shift < sendPoolMinShift || shift > sendPoolMaxShift {
		return
	}
	*p = (*p)[:0]
	sendPools[shift-sendPoolMinShift].Put(p)
}
