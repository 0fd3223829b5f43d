package main

import (
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// runCall makes the call spec describes from client c and records what the client saw.
func (w *World) runCall(c *clientNode, s CallSpec) {
	ctx, cancel := w.callContext(s)
	defer cancel()
	var opts []actorrpc.CallOption
	if s.WaitForReady {
		opts = append(opts, actorrpc.WaitForReady(true))
	}
	var err error
	switch s.Kind {
	case Unary:
		err = w.unary(ctx, c, s, opts...)
	case ServerStream:
		err = w.serverStream(ctx, c, s, opts...)
	case ClientStream:
		err = w.clientStream(ctx, c, s, opts...)
	case Bidi:
		err = w.bidi(ctx, c, s, opts...)
	}
	w.model.CallEnded(s.ID, err)
}

// callContext carries the call's metadata, deadline and cancellation.
func (w *World) callContext(s CallSpec) (context.Context, context.CancelFunc) {
	ctx := actorrpc.AppendOutgoing(context.Background(), "sim-id", strconv.Itoa(s.ID))
	cancelTimeout := context.CancelFunc(func() {})
	if s.Deadline > 0 {
		ctx, cancelTimeout = context.WithTimeout(ctx, s.Deadline)
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := func() bool { return false }
	if s.CancelAfter > 0 {
		t := time.AfterFunc(s.CancelAfter, func() {
			w.model.CallCancelled(s.ID)
			cancel()
		})
		stop = t.Stop
	}
	return ctx, func() { stop(); cancel(); cancelTimeout() }
}

func (w *World) unary(ctx context.Context, c *clientNode, s CallSpec, opts ...actorrpc.CallOption) error {
	req := &hellopb.HelloRequest{Greeting: s.encode()}
	var resp *hellopb.HelloResponse
	var err error
	if s.Async {
		resp, err = c.stub.SayHelloAsync(ctx, req, opts...).Await(context.Background())
	} else {
		resp, err = c.stub.SayHello(ctx, req, opts...)
	}
	if err == nil {
		w.recordReply(s.ID, resp)
	}
	return err
}

func (w *World) serverStream(ctx context.Context, c *clientNode, s CallSpec, opts ...actorrpc.CallOption) error {
	stream, err := c.stub.LotsOfReplies(ctx, &hellopb.HelloRequest{Greeting: s.encode()}, opts...)
	if err != nil {
		return err
	}
	w.keepHandle(stream)
	return w.receiveAll(stream, s)
}

// receiveAll reads a response stream to its end, as slowly as the spec says: a slow
// reader pauses after each message (not before the first Recv, so that a call that ended
// before its stream was returned ends at the same instant either way).
func (w *World) receiveAll(stream interface {
	Recv() (*hellopb.HelloResponse, error)
}, s CallSpec) error {
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		w.recordReply(s.ID, resp)
		if s.ReadDelay > 0 {
			time.Sleep(s.ReadDelay)
		}
	}
}

func (w *World) clientStream(ctx context.Context, c *clientNode, s CallSpec, opts ...actorrpc.CallOption) error {
	stream, err := c.stub.LotsOfGreetings(ctx, opts...)
	if err != nil {
		return err
	}
	w.keepHandle(stream)
	if err := w.sendAll(stream, s); err != nil {
		_, err = stream.CloseAndRecv()
		return err
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return err
	}
	if _, n, _ := parseMessage(resp.GetReply()); n != s.Msgs {
		return actorrpc.Errorf(actorrpc.DataLoss, "the server counted %d requests; want %d", n, s.Msgs)
	}
	w.model.MessageReceived(s.ID, 0)
	return nil
}

// sendAll sends the spec and then s.Msgs numbered requests.
func (w *World) sendAll(stream interface {
	Send(*hellopb.HelloRequest) error
}, s CallSpec) error {
	if err := stream.Send(&hellopb.HelloRequest{Greeting: s.encode()}); err != nil {
		return err
	}
	for seq := range s.Msgs {
		if err := stream.Send(&hellopb.HelloRequest{Greeting: message(s.ID, seq, s.Size)}); err != nil {
			return err
		}
	}
	return nil
}

func (w *World) bidi(ctx context.Context, c *clientNode, s CallSpec, opts ...actorrpc.CallOption) error {
	stream, err := c.stub.BidiHello(ctx, opts...)
	if err != nil {
		return err
	}
	w.keepHandle(stream)
	if err := stream.Send(&hellopb.HelloRequest{Greeting: s.encode()}); err != nil {
		return w.receiveAll(stream, s)
	}
	for seq := range s.Msgs {
		if err := stream.Send(&hellopb.HelloRequest{Greeting: message(s.ID, seq, s.Size)}); err != nil {
			return w.receiveAll(stream, s)
		}
		resp, err := stream.Recv()
		if err != nil {
			return err
		}
		w.recordReply(s.ID, resp)
	}
	_ = stream.CloseSend()
	return w.receiveAll(stream, s)
}

// recordReply records a response message, unless the test hook drops it.
func (w *World) recordReply(id int, resp *hellopb.HelloResponse) {
	_, seq, err := parseMessage(resp.GetReply())
	if err != nil {
		seq = -1
	}
	if w.dropReply != nil && w.dropReply(id, seq) {
		return
	}
	w.model.MessageReceived(id, seq)
}
