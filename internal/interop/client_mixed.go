package interop

import (
	"context"
	"fmt"
	"math"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/interop/testpb"
	"github.com/actorrpc/actorrpc/streamactor"
	"github.com/actorrpc/actorrpc/wire"
)

// mixedRequest is one request of a stream whose messages are compressed one by one.
type mixedRequest struct {
	compressed bool
	msg        *testpb.StreamingInputCallRequest
}

// streamingInputMixed makes a StreamingInputCall whose requests are each compressed or
// not, as client_compressed_streaming needs. The blocking ClientStream compresses all of a
// call's messages or none, so the call is actor-driven: it announces grpc-encoding gzip
// and its stream actor is sent each message already encoded, with or without compression.
func streamingInputMixed(ctx context.Context, ch *actorrpc.Channel, reqs []mixedRequest) (*testpb.StreamingInputCallResponse, error) {
	system := ch.ActorSystem()
	done := make(chan collected, 1)
	sub := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &collector{done: done} }))
	defer system.Root.Stop(sub)
	ref, err := testpb.NewTestServiceClient(ch).StreamingInputCallActor(ctx, sub, actorrpc.UseCompressor(gzipName))
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		data, err := encodeRequest(r)
		if err != nil {
			ref.Cancel(system.Root)
			return nil, err
		}
		system.Root.Send(ref.PID(), &streamactor.Send{Data: data})
	}
	ref.CloseSend(system.Root)
	select {
	case c := <-done:
		return oneResponse(c)
	case <-ctx.Done():
		ref.Cancel(system.Root)
		return nil, actorrpc.StatusOf(ctx.Err()).Err()
	}
}

// encodeRequest encodes a Length-Prefixed-Message, gzipped when r.compressed.
func encodeRequest(r mixedRequest) ([]byte, error) {
	if r.compressed {
		return wire.EncodeMessage(r.msg, wire.CompressorByName(gzipName), math.MaxInt32)
	}
	return wire.MarshalMessage(r.msg, math.MaxInt32)
}

// oneResponse is a client-streaming call's outcome: exactly one response, then OK.
func oneResponse(c collected) (*testpb.StreamingInputCallResponse, error) {
	if c.err != nil {
		return nil, c.err
	}
	if len(c.msgs) != 1 {
		return nil, fmt.Errorf("got %d responses; want 1", len(c.msgs))
	}
	resp, ok := c.msgs[0].(*testpb.StreamingInputCallResponse)
	if !ok {
		return nil, fmt.Errorf("got a %T response; want *testpb.StreamingInputCallResponse", c.msgs[0])
	}
	return resp, nil
}

// collected is how an actor-driven call ended: its messages and its status.
type collected struct {
	msgs []proto.Message
	err  error
}

// collector is the subscriber of one actor-driven call: it keeps the call's messages and
// hands them over with the status when the call ends. Its state is its own.
type collector struct {
	msgs []proto.Message
	done chan<- collected // buffered (1): written once, at StreamEnd
}

// Receive is the collector's one switch.
func (c *collector) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actorrpc.StreamMessage:
		c.msgs = append(c.msgs, m.Msg)
	case *actorrpc.StreamEnd:
		c.done <- collected{msgs: c.msgs, err: m.Err}
	}
}
