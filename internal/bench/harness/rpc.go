package harness

import (
	"context"
	"fmt"
	"io"
)

// The generic parts below are written once for both runtimes: each program instantiates
// them with its own generated types (actorrpc's benchpb or grpc-go's grpc_testing), whose
// stream interfaces have the same Send and Recv methods.

// BidiClient is the client side of a StreamingCall stream.
type BidiClient[Req, Resp any] interface {
	Send(*Req) error
	Recv() (*Resp, error)
}

// RecvClient is the client side of a StreamingFromServer stream.
type RecvClient[Resp any] interface {
	Recv() (*Resp, error)
}

// Stubs are one runtime's BenchmarkService client methods and request type.
type Stubs[Req, Resp any] struct {
	// Request builds the request of workload w: ReqSize bytes of payload, asking for
	// RespSize bytes back.
	Request      func(w Workload) *Req
	Unary        func(ctx context.Context, req *Req) (*Resp, error)
	PingPong     func(ctx context.Context) (BidiClient[Req, Resp], error)
	ServerStream func(ctx context.Context, req *Req) (RecvClient[Resp], error)
}

// NewCaller returns one caller's operation for w; a streaming caller opens its stream here,
// with ctx.
func (s Stubs[Req, Resp]) NewCaller(ctx context.Context, w Workload) (CallFunc, error) {
	req := s.Request(w)
	switch w.Kind {
	case Unary:
		return func(ctx context.Context) error {
			_, err := s.Unary(ctx, req)
			return err
		}, nil
	case PingPong:
		stream, err := s.PingPong(ctx)
		if err != nil {
			return nil, err
		}
		return func(context.Context) error {
			if err := stream.Send(req); err != nil {
				return err
			}
			_, err := stream.Recv()
			return err
		}, nil
	case ServerStream:
		stream, err := s.ServerStream(ctx, req)
		if err != nil {
			return nil, err
		}
		return func(context.Context) error {
			_, err := stream.Recv()
			return err
		}, nil
	}
	return nil, fmt.Errorf("workload %s: kind %q not supported", w.Name, w.Kind)
}

// BidiServer is the server side of a StreamingCall stream.
type BidiServer[Req, Resp any] interface {
	Recv() (*Req, error)
	Send(*Resp) error
}

// ServePingPong answers each request on s with answer(req) until the client half-closes,
// counting one op per response.
func ServePingPong[Req, Resp any](s BidiServer[Req, Resp], answer func(*Req) *Resp) error {
	for {
		req, err := s.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.Send(answer(req)); err != nil {
			return err
		}
		CountOp()
	}
}

// ServeStream sends resp on s as fast as s takes it, until the call ends, counting one op
// per message.
func ServeStream[Resp any](s interface{ Send(*Resp) error }, resp *Resp) error {
	for {
		if err := s.Send(resp); err != nil {
			return err
		}
		CountOp()
	}
}
