package streamactor

import (
	"github.com/asynkron/protoactor-go/actor"
)

// batchMax is the most a batch holds: DefaultSendBuffer's worth (a stream's sends in
// flight bound a batch anyway). To an actorrpc peer, which accepts frames of up to 1 MiB,
// it is one DATA frame; to grpc-go, four of 16 KiB. Against 16 KiB batches, a 1 KiB
// server stream between actorrpc peers measured 2-9% more messages per second (five
// alternating A/B runs), from fewer connection messages and frames per message.
const batchMax = DefaultSendBuffer

// batch gathers the messages a stream sends while its connection still writes earlier
// ones, copied into one pooled buffer; the outbox hands it over as one WriteStream once
// the connection reports the earlier ones written (or it is full). A stream sending
// faster than its connection writes then costs one connection message, one DATA frame and
// one DataReceived on the peer per batch rather than per message, and a ping-pong, whose
// connection is idle when it sends, none of the waiting.
type batch struct {
	data   []byte
	pooled []byte
}

// add copies data into the batch and says whether it did: false for a message too large
// to batch. A batch that data would overflow is handed over first.
func (b *batch) add(ctx actor.Context, conn *actor.PID, id uint32, o *outbox, data []byte) bool {
	if len(data) > batchMax/2 {
		return false
	}
	if len(b.data)+len(data) > batchMax {
		o.flushBatch(ctx, conn, id)
	}
	if b.pooled == nil {
		b.pooled = getSendBuffer(batchMax)
		b.data = b.pooled[:0]
	}
	b.data = append(b.data, data...)
	return true
}

// take returns the batch's bytes and buffer, and empties it.
func (b *batch) take() ([]byte, []byte) {
	data, pooled := b.data, b.pooled
	b.data, b.pooled = nil, nil
	return data, pooled
}

// drop forgets the batch; its buffer, never handed to the connection, goes back to the pool.
func (b *batch) drop() {
	if b.pooled != nil {
		putSendBuffer(b.pooled)
	}
	b.data, b.pooled = nil, nil
}
