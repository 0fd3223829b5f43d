package streamactor

import (
	"math/bits"

	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/wire"
)

// A handle's messages of up to 32 KiB are encoded into buffers from wire's pools
// (wire.GetBuffer), and the outbox gives each back once the connection reports it written
// (actors.DataSent): its bytes are then in the connection's write buffer, and nothing
// refers to it.
const sendPoolMaxShift = 15

// Outgoing is one encoded, length-prefixed message on its way to a stream actor.
type Outgoing struct {
	Data []byte
	// pooled, when set, is Data's buffer, whole, from wire.GetBuffer.
	pooled []byte
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
	buf, err := proto.MarshalOptions{UseCachedSize: true}.MarshalAppend(p[:wire.MessagePrefixLen], m)
	if err != nil {
		putSendBuffer(p)
		return Outgoing{}, wire.Statusf(wire.Internal, "grpc: error while marshaling: %v", err)
	}
	n := len(buf) - wire.MessagePrefixLen
	buf[0], buf[1], buf[2], buf[3], buf[4] = 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	if cap(buf) != cap(p) { // the message grew while being marshalled: not the pool's
		putSendBuffer(p)
		return Outgoing{Data: buf}, nil
	}
	return Outgoing{Data: buf, pooled: p}, nil
}

// getSendBuffer returns an empty buffer of at least n bytes from wire's buffer pools.
func getSendBuffer(n int) []byte { return wire.GetBuffer(n)[:0] }

// putSendBuffer gives a buffer back to wire's buffer pools.
func putSendBuffer(b []byte) { wire.PutBuffer(b) }
