package streamactor

import (
	"io"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/wire"
)

// inbox is a stream actor's receive side: decoded messages waiting for the application,
// Recv requests waiting for messages, and the end of the peer's sending side. It returns
// flow-control window to the connection only as messages are taken.
type inbox struct {
	dec      wire.Decoder
	encoding string // grpc-encoding of compressed messages
	msgs     []inMsg
	waiters  []chan<- RecvResult
	ended    bool  // no more messages will arrive
	endErr   error // io.EOF for a clean end, else the status
	taken    bool  // the end was delivered to the application
}

type inMsg struct {
	payload    []byte
	compressed bool
	size       int // bytes on the wire, returned to the window when taken
}

// feed decodes a DATA payload into queued messages. A decode error ends the stream.
func (in *inbox) feed(data []byte) error {
	if in.ended {
		return nil
	}
	in.dec.Feed(data)
	for {
		payload, compressed, ok, err := in.dec.Next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		in.msgs = append(in.msgs, inMsg{payload: payload, compressed: compressed, size: wire.MessagePrefixLen + len(payload)})
	}
}

// end records that nothing more arrives: err is io.EOF for a clean end.
func (in *inbox) end(err error) {
	if in.ended {
		return
	}
	in.ended, in.endErr = true, err
}

// take removes the next message, decompressing it; the second result is its wire size.
func (in *inbox) take() (RecvResult, int) {
	m := in.msgs[0]
	in.msgs[0] = inMsg{}
	in.msgs = in.msgs[1:]
	payload := m.payload
	if m.compressed {
		out, err := decompress(in.encoding, payload, in.dec.MaxSize)
		if err != nil {
			return RecvResult{Err: err}, m.size
		}
		payload = out
	}
	return RecvResult{Payload: payload, Compressed: m.compressed}, m.size
}

// serve answers waiting Recv requests from the queue, and with the end once the queue is
// empty. consumed is the window to return to the connection.
func (in *inbox) serve() (consumed int) {
	for len(in.waiters) > 0 {
		switch {
		case len(in.msgs) > 0:
			r, n := in.take()
			consumed += n
			in.waiters[0] <- r
		case in.ended:
			in.waiters[0] <- RecvResult{Err: in.endErr}
			in.taken = true
		default:
			return consumed
		}
		in.waiters = in.waiters[1:]
	}
	return consumed
}

// recv queues a Recv request and serves what it can.
func (in *inbox) recv(ctx actor.Context, conn *actor.PID, streamID uint32, reply chan<- RecvResult) {
	in.waiters = append(in.waiters, reply)
	in.release(ctx, conn, streamID, in.serve())
}

// release returns consumed window to the connection.
func (in *inbox) release(ctx actor.Context, conn *actor.PID, streamID uint32, n int) {
	if n > 0 && conn != nil && streamID != 0 {
		ctx.Send(conn, &actors.ConsumeData{StreamID: streamID, N: n})
	}
}

// drained says the application has everything, including the end.
func (in *inbox) drained() bool { return in.ended && len(in.msgs) == 0 && in.taken }

// isEOF says whether err is the clean end.
func isEOF(err error) bool { return err == io.EOF }

// decompress inflates a compressed message with the named compressor.
func decompress(encoding string, payload []byte, maxSize int) ([]byte, error) {
	comp := wire.CompressorByName(encoding)
	if comp == nil {
		if encoding == "" {
			return nil, wire.NewStatus(wire.Internal, "grpc: compressed flag set on a message of a stream without grpc-encoding")
		}
		return nil, wire.Statusf(wire.Unimplemented, "grpc: Decompressor is not installed for grpc-encoding %q", encoding)
	}
	return comp.Decompress(nil, payload, maxSize)
}
