package actors

import (
	"bufio"
	"fmt"
	"io"
	"sync"

	"golang.org/x/net/http2"

	"github.com/actorrpc/actorrpc/wire"
)

// DATA frames without the Framer's copies. The reader reads a DATA payload straight from
// its buffered reader into a buffer the message then owns (the Framer would read it into
// its own buffer, to be copied again), and the connection writes a DATA frame's header and
// payload straight into its write buffer (the Framer would assemble the frame in a buffer
// of its own first). Every other frame still goes through the Framer, and the Framer still
// reads every frame header: frame size and CONTINUATION order stay its checks.
//
// Buffers of DATA payloads of 512 bytes or more come from pools (pools at the edge: only the
// owner of a payload gives it back, once, with ReleaseData, when nothing refers to it any
// more). A stream gives a payload back once every message in it is decoded.

// dataChunkSize is the size of the DATA buffers of dataPool: HTTP/2's initial
// SETTINGS_MAX_FRAME_SIZE, the frame size grpc-go sends a large message in.
const dataChunkSize = 16 << 10

// pooledDataMin is the smallest payload read into a pooled buffer (a large message comes
// in frames of dataChunkSize); smaller ones get a buffer of their own size, so that a
// payload an owner keeps a while (a stream's message not yet read) takes at most a third
// more memory than its bytes.
const pooledDataMin = dataChunkSize * 3 / 4

var dataPool sync.Pool // of *[dataChunkSize]byte

// smallPooledDataMin is the smallest payload read into a buffer from wire's pools (a
// unary message of 1 KiB, say); smaller ones get a buffer of their own.
const smallPooledDataMin = 512

// dataBuffer returns a buffer of n bytes for a DATA payload: frames of dataChunkSize and
// a little less from dataPool, larger frames (from a peer that announced a larger
// SETTINGS_MAX_FRAME_SIZE, as actorrpc does) and frames of 512 bytes up to pooledDataMin
// from wire's pools, smaller ones of their own.
func dataBuffer(n int) []byte {
	switch {
	case n >= pooledDataMin && n <= dataChunkSize:
		if p, ok := dataPool.Get().(*[dataChunkSize]byte); ok {
			return p[:n]
		}
		return new([dataChunkSize]byte)[:n]
	case n >= smallPooledDataMin && n < pooledDataMin, n > dataChunkSize:
		return wire.GetBuffer(n)[:n]
	}
	return make([]byte, n)
}

// ReleaseData gives back the buffer of a DataReceived's Data, which its receiver owns, once
// nothing refers to it any more (not even a slice of it). Giving it back is optional.
func ReleaseData(b []byte) {
	if cap(b) != dataChunkSize {
		wire.ReleaseBuffer(b) // if from wire's pools; not a slice that starts further in
		return
	}
	dataPool.Put((*[dataChunkSize]byte)(b[:dataChunkSize]))
}

// Releasable says ReleaseData would give b back to a pool: b is a whole DATA payload
// buffer from one.
func Releasable(b []byte) bool {
	return cap(b) == dataChunkSize || wire.Pooled(b)
}

// readData reads the payload of the DATA frame whose header fh the Framer just read, as
// the Framer's parseDataFrame would, into a buffer of its own.
func readData(r io.Reader, fh http2.FrameHeader) (*frameMsg, error) {
	if fh.StreamID == 0 {
		// RFC 9113 §6.1: "If a DATA frame is received whose Stream Identifier field is
		// 0x00, the recipient MUST respond with a connection error of type PROTOCOL_ERROR."
		return nil, fmt.Errorf("%w: DATA frame with stream ID 0", http2.ConnectionError(http2.ErrCodeProtocol))
	}
	if err := awaitLargePayload(r, fh.Length); err != nil {
		return nil, err
	}
	buf := dataBuffer(int(fh.Length))
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	data := buf
	if fh.Flags.Has(http2.FlagDataPadded) {
		// RFC 9113 §6.1: "If the length of the padding is the length of the frame payload
		// or greater, the recipient MUST treat this as a connection error of type
		// PROTOCOL_ERROR."
		if len(data) == 0 || int(data[0]) > len(data)-1 {
			return nil, fmt.Errorf("%w: pad size larger than DATA payload", http2.ConnectionError(http2.ErrCodeProtocol))
		}
		data = data[1 : len(data)-int(data[0])]
	}
	return &frameMsg{typ: http2.FrameData, streamID: fh.StreamID, flags: fh.Flags, length: fh.Length, dataFact: DataReceived{Data: data}}, nil
}

// awaitLargePayload waits, before a frame larger than dataChunkSize gets a buffer of its
// size, until its payload has begun to arrive: as much of it as r buffers (32 KiB), or all
// of it. A peer that announces large frames and sends nothing of them makes the reader
// hold no more than it has sent, times 32 at most (up to 1 MiB for 32 KiB sent), rather
// than a whole frame's buffer for a header of 9 bytes.
func awaitLargePayload(r io.Reader, n uint32) error {
	br, ok := r.(*bufio.Reader)
	if !ok || n <= dataChunkSize {
		return nil
	}
	_, err := br.Peek(min(int(n), br.Size()))
	return err
}

// writeDataFrame writes one DATA frame (no padding) into w, as Framer.WriteData would.
func writeDataFrame(w *bufio.Writer, id uint32, endStream bool, data []byte) error {
	// Appended to the writer's own free space (no header escapes to the heap).
	if _, err := w.Write(appendDataHeader(w.AvailableBuffer(), id, endStream, len(data))); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// appendDataHeader appends the header of a DATA frame (no padding) of n bytes to b.
func appendDataHeader(b []byte, id uint32, endStream bool, n int) []byte {
	var flags http2.Flags
	if endStream {
		flags = http2.FlagDataEndStream
	}
	return append(b, byte(n>>16), byte(n>>8), byte(n), byte(http2.FrameData), byte(flags),
		byte(id>>24&0x7f), byte(id>>16), byte(id>>8), byte(id))
}
