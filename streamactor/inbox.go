package streamactor

import (
	"encoding/binary"
	"io"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/wire"
)

// inbox is a stream actor's receive side: messages split from DATA, waiting for the
// application, and the end of the peer's sending side. A blocking handle gets them through
// its delivery channel (out); the window goes back to the connection only as the
// application reports what it consumed, so the inbox and the channel together never hold
// more than the stream's window.
type inbox struct {
	dec      wire.Decoder
	encoding string // grpc-encoding of compressed messages
	msgs     []inMsg
	head     int             // msgs[head:] are queued
	out      chan RecvResult // the handle's delivery channel; nil without a blocking handle
	more     chan struct{}   // the handle's signal that out is full and more waits
	// lender, with a blocking handle that has one, is poked after a delivery or a more
	// signal: its waiting goroutine blocks on runs alone (Handle.waitLent).
	lender  *actors.Lender
	pulling bool  // the handle has asked for messages: deliver into out
	ended   bool  // no more messages will arrive
	endErr  error // io.EOF for a clean end, else the status
	taken   bool  // the end was delivered, or need not be: the actor may stop
	endSent bool  // the end went into out
	early   int   // bytes of the decoder's partial message already returned
	// failed is a message push could not decode (decompress): the stream ends with its
	// status, as in grpc-go. The actor reads it with takeFailed and ends the call.
	failed error
}

// takeFailed returns, once, the status of a message push could not decode.
func (in *inbox) takeFailed() error {
	err := in.failed
	in.failed = nil
	return err
}

type inMsg struct {
	payload    []byte
	compressed bool
	size       int // bytes on the wire, returned to the window when consumed
	// frame is the DATA payload the message filled alone, to give back to its pool once
	// the message is decoded (RecvResult.Release); shared, the payload it shares with the
	// other messages of its frame. Both nil for a buffer that goes back to no pool.
	frame  []byte
	shared *sharedFrame
}

// sharedFrame is a pooled DATA payload split into several messages: the last of them to
// be released gives it back.
type sharedFrame struct {
	buf  []byte
	refs atomic.Int32
}

// release drops one message's hold on the frame.
func (f *sharedFrame) release() {
	if f.refs.Add(-1) == 0 {
		actors.ReleaseData(f.buf)
	}
}

// feed splits a DATA payload, which the stream owns, into queued messages. A decode error
// ends the stream. free is window to return now: the bytes of a message not yet complete.
// Its bytes count once it is whole, so a message larger than the window still arrives
// (grpc-go widens the window for it); the decoder holds at most one, within the size
// limit.
//
// Payloads come from the connection's pools: the messages that alias one go back to its
// pool once all of them are decoded (RecvResult.Release), and one the decoder took whole
// (it copies) goes back at once.
func (in *inbox) feed(data []byte) (free int, err error) {
	if in.ended {
		return 0, nil
	}
	rest := data
	if in.dec.Buffered() == 0 {
		first := len(in.msgs)
		rest = in.split(data)
		in.share(data, first)
		if len(rest) == 0 {
			return 0, nil
		}
	}
	if len(rest) == len(data) {
		defer actors.ReleaseData(data) // no message aliases it, and Feed copies it
	}
	in.dec.Feed(rest)
	for {
		payload, compressed, ok, err := in.dec.Next()
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		// The first message completes the partial one: what was returned early is not
		// returned again.
		size := wire.MessagePrefixLen + len(payload) - in.early
		in.early = 0
		in.msgs = append(in.msgs, inMsg{payload: payload, compressed: compressed, size: size})
	}
	partial := in.dec.Buffered()
	free, in.early = partial-in.early, partial
	return free, nil
}

// share marks the messages split from data, msgs[first:], as holding it: one that is
// alone in it gives it back when released, several share it.
func (in *inbox) share(data []byte, first int) {
	n := len(in.msgs) - first
	switch {
	case n == 0 || !actors.Releasable(data):
	case n == 1:
		in.msgs[first].frame = data
	default:
		f := &sharedFrame{buf: data}
		f.refs.Store(int32(n))
		for i := first; i < len(in.msgs); i++ {
			in.msgs[i].shared = f
		}
	}
}

// limit is the largest message the stream accepts.
func (in *inbox) limit() uint64 {
	if in.dec.MaxSize == 0 {
		return wire.DefaultMaxRecvMessageSize
	}
	return uint64(in.dec.MaxSize)
}

// split queues the whole, valid messages at the front of data without copying them: their
// payloads alias data (a DataReceived owns its bytes, and nothing writes to them). It
// returns the rest, for the decoder: a message cut by the frame's end, or a bad prefix the
// decoder reports.
func (in *inbox) split(data []byte) []byte {
	limit := in.limit()
	for len(data) >= wire.MessagePrefixLen {
		flag, n := data[0], uint64(binary.BigEndian.Uint32(data[1:wire.MessagePrefixLen]))
		if flag > 1 || n > limit || n > uint64(len(data)-wire.MessagePrefixLen) {
			break
		}
		end := wire.MessagePrefixLen + int(n)
		in.msgs = append(in.msgs, inMsg{payload: data[wire.MessagePrefixLen:end:end], compressed: flag == 1, size: end})
		data = data[end:]
	}
	return data
}

// queued is how many messages wait in the inbox.
func (in *inbox) queued() int { return len(in.msgs) - in.head }

// end records that nothing more arrives: err is io.EOF for a clean end.
func (in *inbox) end(err error) {
	if in.ended {
		return
	}
	in.ended, in.endErr = true, err
}

// take removes the next message, decompressing it.
func (in *inbox) take() RecvResult {
	m := in.msgs[in.head]
	in.msgs[in.head] = inMsg{}
	in.head++
	if in.head == len(in.msgs) {
		in.msgs, in.head = in.msgs[:0], 0
	}
	r := RecvResult{Payload: m.payload, Compressed: m.compressed, size: m.size, frame: m.frame, shared: m.shared}
	if m.compressed {
		out, err := decompress(in.encoding, m.payload, in.dec.MaxSize)
		r.Release() // decompressed into a buffer of its own, or failed
		if err != nil {
			r.Payload, r.Err = nil, err
		} else {
			r.Payload = out
		}
	}
	return r
}

// drop forgets the queued messages, those waiting in the delivery channel included (a
// local end, or a reset: the application gets the end next).
func (in *inbox) drop() {
	clear(in.msgs)
	in.msgs, in.head = in.msgs[:0], 0
	for in.out != nil {
		select {
		case <-in.out:
		default:
			return
		}
	}
}

// push delivers queued messages into the handle's channel while it has room, then the
// end. It never blocks: the actor is the only writer and checks for room.
func (in *inbox) push() {
	if !in.pulling {
		return
	}
	delivered := in.deliver()
	if in.queued() > 0 || (in.ended && !in.endSent) {
		select { // out is full: a waiting handle must report to get the rest
		case in.more <- struct{}{}:
			delivered = true
		default:
		}
	}
	if delivered {
		in.lender.Poke() // a no-op when this run is on the handle's goroutine
	}
}

// deliver moves queued messages into the handle's channel while it has room, then the end,
// and says whether it delivered anything.
func (in *inbox) deliver() (delivered bool) {
	for in.queued() > 0 && len(in.out) < cap(in.out) {
		r := in.take()
		if r.Err != nil {
			// Nothing after a message that cannot be decoded is delivered: the messages
			// before it are read, then its status, for good (takeFailed).
			clear(in.msgs)
			in.msgs, in.head = in.msgs[:0], 0
			in.ended, in.endErr, in.failed = true, r.Err, r.Err
			break
		}
		in.out <- r
		delivered = true
	}
	if in.ended && in.queued() == 0 && !in.endSent && len(in.out) < cap(in.out) {
		in.out <- RecvResult{Err: in.endErr, last: true}
		in.endSent, in.taken = true, true
		delivered = true
	}
	return delivered
}

// pulled handles a takeMore: the window the application consumed goes back to the
// connection, and the channel is refilled.
func (in *inbox) pulled(ctx actor.Context, conn *actor.PID, streamID uint32, consumed int) {
	in.pulling = in.out != nil
	in.release(ctx, conn, streamID, consumed)
	in.push()
}

// release returns consumed window to the connection.
func (in *inbox) release(ctx actor.Context, conn *actor.PID, streamID uint32, n int) {
	if n > 0 && conn != nil && streamID != 0 {
		ctx.Send(conn, &actors.ConsumeData{StreamID: streamID, N: n})
	}
}

// drained says the application has everything, including the end.
func (in *inbox) drained() bool { return in.ended && in.queued() == 0 && in.taken }

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
