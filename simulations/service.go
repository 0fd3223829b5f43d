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

// service serves HelloService as each call's spec says, and records what it saw.
type service struct {
	hellopb.UnimplementedHelloServiceServer
	name  string // the server's name in the trace
	model *Model
}

// errPanicked is what a handler that panics is recorded as having returned.
var errPanicked = actorrpc.Errorf(actorrpc.Internal, "handler panicked")

// serve runs one handler body between its start and end records. A panic is recorded
// and passed on, so the runtime turns it into INTERNAL.
func (s *service) serve(id int, body func() error) (err error) {
	s.model.HandlerStarted(s.name, id)
	panicked := true
	defer func() {
		if panicked {
			s.model.HandlerEnded(s.name, id, errPanicked)
		}
	}()
	err = body()
	panicked = false
	s.model.HandlerEnded(s.name, id, err)
	return err
}

func (s *service) SayHello(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	spec, err := decodeSpec(req.GetGreeting())
	if err != nil {
		return nil, actorrpc.Errorf(actorrpc.InvalidArgument, "bad spec: %v", err)
	}
	var resp *hellopb.HelloResponse
	err = s.serve(spec.ID, func() error {
		if err := checkMetadata(ctx, spec.ID); err != nil {
			return err
		}
		if err := sleep(ctx, spec.Sleep); err != nil {
			return err
		}
		if spec.Panic {
			panic("simulated handler panic")
		}
		_ = actorrpc.SetTrailer(ctx, actorrpc.Pairs("sim-id", strconv.Itoa(spec.ID)))
		resp = &hellopb.HelloResponse{Reply: message(spec.ID, 0, spec.Size)}
		return nil
	})
	return resp, err
}

func (s *service) LotsOfReplies(req *hellopb.HelloRequest, stream actorrpc.ServerStreamingServer[hellopb.HelloResponse]) error {
	spec, err := decodeSpec(req.GetGreeting())
	if err != nil {
		return actorrpc.Errorf(actorrpc.InvalidArgument, "bad spec: %v", err)
	}
	ctx := stream.Context()
	return s.serve(spec.ID, func() error {
		if err := checkMetadata(ctx, spec.ID); err != nil {
			return err
		}
		for seq := range spec.Msgs {
			if err := sleep(ctx, spec.Sleep); err != nil {
				return err
			}
			if spec.Panic && seq == spec.Msgs/2 {
				panic("simulated handler panic")
			}
			if err := stream.Send(&hellopb.HelloResponse{Reply: message(spec.ID, seq, spec.Size)}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *service) LotsOfGreetings(stream actorrpc.ClientStreamingServer[hellopb.HelloRequest, hellopb.HelloResponse]) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	spec, err := decodeSpec(first.GetGreeting())
	if err != nil {
		return actorrpc.Errorf(actorrpc.InvalidArgument, "bad spec: %v", err)
	}
	return s.serve(spec.ID, func() error {
		if err := checkMetadata(stream.Context(), spec.ID); err != nil {
			return err
		}
		n, err := s.receiveAll(stream, spec)
		if err != nil {
			return err
		}
		if err := sleep(stream.Context(), spec.Sleep); err != nil {
			return err
		}
		return stream.SendAndClose(&hellopb.HelloResponse{Reply: message(spec.ID, n, spec.Size)})
	})
}

// receiveAll reads a client stream's messages after the spec until the client half-closes,
// checking their order; it returns how many there were.
func (s *service) receiveAll(stream actorrpc.ClientStreamingServer[hellopb.HelloRequest, hellopb.HelloResponse], spec CallSpec) (int, error) {
	for n := 0; ; n++ {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if spec.Panic && n == spec.Msgs/2 {
			panic("simulated handler panic")
		}
		_, seq, _ := parseMessage(req.GetGreeting())
		s.model.RequestReceived(s.name, spec.ID, seq, n)
	}
}

func (s *service) BidiHello(stream actorrpc.BidiStreamingServer[hellopb.HelloRequest, hellopb.HelloResponse]) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	spec, err := decodeSpec(first.GetGreeting())
	if err != nil {
		return actorrpc.Errorf(actorrpc.InvalidArgument, "bad spec: %v", err)
	}
	return s.serve(spec.ID, func() error {
		if err := checkMetadata(stream.Context(), spec.ID); err != nil {
			return err
		}
		return s.echo(stream, spec)
	})
}

// echo answers each request of a bidi stream with a reply of the same sequence number.
func (s *service) echo(stream actorrpc.BidiStreamingServer[hellopb.HelloRequest, hellopb.HelloResponse], spec CallSpec) error {
	for n := 0; ; n++ {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		_, seq, _ := parseMessage(req.GetGreeting())
		s.model.RequestReceived(s.name, spec.ID, seq, n)
		if spec.Panic && n == spec.Msgs/2 {
			panic("simulated handler panic")
		}
		if err := sleep(stream.Context(), spec.Sleep); err != nil {
			return err
		}
		if err := stream.Send(&hellopb.HelloResponse{Reply: message(spec.ID, seq, spec.Size)}); err != nil {
			return err
		}
	}
}

// checkMetadata checks that the call's metadata carries its id.
func checkMetadata(ctx context.Context, id int) error {
	if got := actorrpc.Incoming(ctx)["sim-id"]; len(got) != 1 || got[0] != strconv.Itoa(id) {
		return actorrpc.Errorf(actorrpc.InvalidArgument, "metadata sim-id = %q; want %d", got, id)
	}
	return nil
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return actorrpc.StatusOf(ctx.Err()).Err()
	}
}
