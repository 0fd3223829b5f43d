package streamactor

import (
	"context"
	"math"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/wire"
)

// Commands to a stream actor (client or server side).

// Send queues one length-prefixed message.
type Send struct {
	Data []byte
	// credited says a Handle sent it out of its send credit: the actor returns the credit
	// as the connection writes the bytes.
	credited bool
	// pooled, when set, is Data's buffer (Encode): the outbox gives it back once written.
	pooled []byte
	// write is where the actor makes the message's actors.WriteStream: the Send is the
	// actor's once posted, so the one allocation carries the message to the connection.
	write actors.WriteStream
}

// CloseSend half-closes the sending side after every queued message (client side).
type CloseSend struct{}

// RecvResult is one received message, or the end of the stream (Err: io.EOF or the
// status), as a Handle receives it.
type RecvResult struct {
	Payload []byte
	Err     error
	// Compressed says the message arrived compressed.
	Compressed bool
	// last marks the end; size is the message's length on the wire.
	last bool
	size int
	// frame is the pooled buffer Payload lies in, if the message has it alone; shared,
	// if it shares it with other messages.
	frame  []byte
	shared *sharedFrame
}

// Release gives the buffer of Payload back to its pool (once every message that shares
// it is released). Call it once Payload is decoded and nothing refers to it any more
// (proto.Unmarshal copies what it keeps), or not at all.
func (r *RecvResult) Release() {
	switch {
	case r.frame != nil:
		actors.ReleaseData(r.frame)
	case r.shared != nil:
		r.shared.release()
	default:
		return
	}
	r.frame, r.shared, r.Payload = nil, nil, nil
}

// HeaderRequest asks for the response headers; Reply gets them once they arrive or the
// stream ends.
type HeaderRequest struct{ Reply chan<- HeaderResult }

// HeaderResult is the answer to HeaderRequest.
type HeaderResult struct {
	Header wire.Metadata
	Err    error
}

// Cancel ends the stream at once with Status. A client stream sends RST_STREAM(CANCEL); a
// server stream drops its queued messages and sends Status in its trailers.
type Cancel struct{ Status *wire.Status }

// Finish ends a server stream served by an actor: Err nil for OK, else the status to send;
// Trailer is the trailing metadata. Queued messages go out first.
type Finish struct {
	Err     error
	Trailer wire.Metadata
}

// SendHeader sends the response headers now (server side).
type SendHeader struct{ Header wire.Metadata }

// Facts a stream actor sends to a subscribed actor (actor-driven streams).

// StreamRef names a stream so that an actor can send on it by message. It encodes what is
// sent with the call's compressor and size limit.
type StreamRef struct {
	pid     *actor.PID
	comp    wire.Compressor
	maxSend int
}

// NewStreamRef wraps a stream actor's PID; sends are not compressed.
func NewStreamRef(pid *actor.PID) *StreamRef { return NewStreamRefWith(pid, nil, 0) }

// NewStreamRefWith wraps a stream actor's PID; sends are compressed with comp (nil for
// none) and limited to maxSend bytes (0 for no limit).
func NewStreamRefWith(pid *actor.PID, comp wire.Compressor, maxSend int) *StreamRef {
	if maxSend <= 0 {
		maxSend = math.MaxInt32
	}
	return &StreamRef{pid: pid, comp: comp, maxSend: maxSend}
}

// PID is the stream actor.
func (r *StreamRef) PID() *actor.PID { return r.pid }

// Send queues msg on the stream. It fails only if msg cannot be encoded. Sends from an
// actor do not wait: they queue in the stream actor, in order.
func (r *StreamRef) Send(sender actor.SenderContext, msg proto.Message) error {
	data, err := wire.EncodeMessage(msg, r.comp, r.maxSend)
	if err != nil {
		return err
	}
	sender.Send(r.pid, &Send{Data: data})
	return nil
}

// CloseSend half-closes the stream after the queued messages.
func (r *StreamRef) CloseSend(sender actor.SenderContext) { sender.Send(r.pid, &CloseSend{}) }

// Cancel cancels the stream: a client stream is reset (RST_STREAM) and ends CANCELLED; a
// server stream ends at once with CANCELLED, its queued messages dropped.
func (r *StreamRef) Cancel(sender actor.SenderContext) {
	sender.Send(r.pid, &Cancel{Status: wire.NewStatus(wire.Canceled, "stream cancelled by its actor")})
}

// Finish ends the stream with err (nil: OK) and trailer (server side).
func (r *StreamRef) Finish(sender actor.SenderContext, err error, trailer wire.Metadata) {
	sender.Send(r.pid, &Finish{Err: err, Trailer: trailer})
}

// SendHeader sends the response headers now (server side).
func (r *StreamRef) SendHeader(sender actor.SenderContext, md wire.Metadata) {
	sender.Send(r.pid, &SendHeader{Header: md})
}

// IncomingCall is the first message an actor serving a streaming method gets for a call;
// StreamMessage and then StreamEnd (the client half-closed, or the call was cancelled)
// follow. The actor answers with Stream.Send and ends the call with Stream.Finish.
type IncomingCall struct {
	Method   string
	Stream   *StreamRef
	Ctx      context.Context
	Incoming wire.Metadata
}

// StreamHeader carries the response headers (client side).
type StreamHeader struct {
	Stream *StreamRef
	Header wire.Metadata
}

// StreamMessage carries one received message, decoded.
type StreamMessage struct {
	Stream *StreamRef
	Msg    proto.Message
}

// StreamEnd is the last fact of a stream. On the client, Err is nil for OK or the status;
// Trailer is the trailing metadata. On the server, Err is nil when the client half-closed,
// or the status when the call was cancelled or reset.
type StreamEnd struct {
	Stream  *StreamRef
	Err     error
	Trailer wire.Metadata
}

// RecvFinal reads the one response and the end of a client-streaming call and calls Fn
// (from the actor) with the response, or with the error that ended the call.
type RecvFinal struct {
	Fn func(payload []byte, err error)
}
