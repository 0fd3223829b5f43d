package actorrpc

import (
	"context"
	"io"

	"google.golang.org/protobuf/proto"
)

// ClientStream is the untyped client side of a streaming call, as generated code uses it.
// One goroutine may send while another receives.
type ClientStream interface {
	// Context is the call's context.
	Context() context.Context
	// Header waits for the response headers (or the end of the call).
	Header() (Metadata, error)
	// Trailer returns the trailing metadata; valid once RecvMsg has returned an error.
	Trailer() Metadata
	// CloseSend half-closes the sending side.
	CloseSend() error
	// SendMsg sends m; it waits while the connection holds a full send buffer. It returns
	// io.EOF when the call has ended (RecvMsg then tells how).
	SendMsg(m proto.Message) error
	// RecvMsg receives the next message into m; io.EOF at the end of an OK call.
	RecvMsg(m proto.Message) error
}

// ServerStream is the untyped server side of a streaming call, as generated code uses it.
type ServerStream interface {
	// Context is the call's context: deadline, cancellation, incoming metadata.
	Context() context.Context
	// SetHeader adds header metadata, sent with the first message or the status.
	SetHeader(Metadata) error
	// SendHeader sends the header metadata now.
	SendHeader(Metadata) error
	// SetTrailer adds trailing metadata, sent with the status.
	SetTrailer(Metadata)
	// SendMsg sends m; it waits while the connection holds a full send buffer.
	SendMsg(m proto.Message) error
	// RecvMsg receives the next message into m; io.EOF once the client half-closed.
	RecvMsg(m proto.Message) error
}

// ServerStreamingClient is the client side of a server-streaming call.
type ServerStreamingClient[Res any] interface {
	// Recv returns the next response, or io.EOF at the end of an OK call.
	Recv() (*Res, error)
	ClientStream
}

// ClientStreamingClient is the client side of a client-streaming call.
type ClientStreamingClient[Req, Res any] interface {
	// Send sends one request.
	Send(*Req) error
	// CloseAndRecv half-closes and waits for the one response.
	CloseAndRecv() (*Res, error)
	// CloseAndRecvAsync half-closes and returns a future for the one response.
	CloseAndRecvAsync() *Future[*Res]
	ClientStream
}

// BidiStreamingClient is the client side of a bidirectional-streaming call.
type BidiStreamingClient[Req, Res any] interface {
	// Send sends one request.
	Send(*Req) error
	// Recv returns the next response, or io.EOF at the end of an OK call.
	Recv() (*Res, error)
	ClientStream
}

// ServerStreamingServer is the server side of a server-streaming call.
type ServerStreamingServer[Res any] interface {
	// Send sends one response.
	Send(*Res) error
	ServerStream
}

// ClientStreamingServer is the server side of a client-streaming call.
type ClientStreamingServer[Req, Res any] interface {
	// Recv returns the next request, or io.EOF once the client half-closed.
	Recv() (*Req, error)
	// SendAndClose sends the one response (the status follows when the handler returns).
	SendAndClose(*Res) error
	ServerStream
}

// BidiStreamingServer is the server side of a bidirectional-streaming call.
type BidiStreamingServer[Req, Res any] interface {
	// Recv returns the next request, or io.EOF once the client half-closed.
	Recv() (*Req, error)
	// Send sends one response.
	Send(*Res) error
	ServerStream
}

// GenericClientStream gives a ClientStream its typed methods. Generated code uses it.
type GenericClientStream[Req, Res any] struct {
	ClientStream
}

var (
	_ ServerStreamingClient[int]      = (*GenericClientStream[int, int])(nil)
	_ ClientStreamingClient[int, int] = (*GenericClientStream[int, int])(nil)
	_ BidiStreamingClient[int, int]   = (*GenericClientStream[int, int])(nil)
	_ ServerStreamingServer[int]      = (*GenericServerStream[int, int])(nil)
	_ ClientStreamingServer[int, int] = (*GenericServerStream[int, int])(nil)
	_ BidiStreamingServer[int, int]   = (*GenericServerStream[int, int])(nil)
)

// Send sends one request.
func (x *GenericClientStream[Req, Res]) Send(m *Req) error {
	return x.ClientStream.SendMsg(asMessage(m))
}

// Recv returns the next response.
func (x *GenericClientStream[Req, Res]) Recv() (*Res, error) {
	m := new(Res)
	if err := x.ClientStream.RecvMsg(asMessage(m)); err != nil {
		return nil, err
	}
	return m, nil
}

// CloseAndRecv half-closes and returns the one response. A server that ends OK without
// a response, or with more than one, is an error (INTERNAL).
func (x *GenericClientStream[Req, Res]) CloseAndRecv() (*Res, error) {
	if err := x.ClientStream.CloseSend(); err != nil {
		return nil, err
	}
	m := new(Res)
	if err := x.ClientStream.RecvMsg(asMessage(m)); err != nil {
		if err == io.EOF {
			return nil, Errorf(Internal, "cardinality violation: expected one response message, received none")
		}
		return nil, err
	}
	var extra Res
	switch err := x.ClientStream.RecvMsg(asMessage(&extra)); err {
	case io.EOF:
		return m, nil
	case nil:
		return nil, Errorf(Internal, "cardinality violation: expected one response message, received more")
	default:
		return nil, err
	}
}

// CloseAndRecvAsync half-closes and returns a future for the one response; it never
// blocks.
func (x *GenericClientStream[Req, Res]) CloseAndRecvAsync() *Future[*Res] {
	cs, ok := x.ClientStream.(*clientStream)
	if !ok {
		panic("actorrpc: CloseAndRecvAsync needs a stream from a Channel")
	}
	f := newFuture[*Res](cs.system)
	_ = cs.CloseSend()
	cs.recvFinal(func(payload []byte, err error) {
		if err != nil {
			f.complete(nil, err)
			return
		}
		m := new(Res)
		if err := proto.Unmarshal(payload, asMessage(m)); err != nil {
			f.complete(nil, Errorf(Internal, "grpc: failed to unmarshal the response: %v", err))
			return
		}
		f.complete(m, nil)
	})
	return f
}

// GenericServerStream gives a ServerStream its typed methods. Generated code uses it.
type GenericServerStream[Req, Res any] struct {
	ServerStream
}

// Send sends one response.
func (x *GenericServerStream[Req, Res]) Send(m *Res) error {
	return x.ServerStream.SendMsg(asMessage(m))
}

// SendAndClose sends the one response of a client-streaming call.
func (x *GenericServerStream[Req, Res]) SendAndClose(m *Res) error {
	return x.ServerStream.SendMsg(asMessage(m))
}

// Recv returns the next request.
func (x *GenericServerStream[Req, Res]) Recv() (*Req, error) {
	m := new(Req)
	if err := x.ServerStream.RecvMsg(asMessage(m)); err != nil {
		return nil, err
	}
	return m, nil
}

// asMessage converts a *T of a generated message type to proto.Message.
func asMessage[T any](m *T) proto.Message {
	pm, ok := any(m).(proto.Message)
	if !ok {
		panic("actorrpc: stream message type is not a protobuf message")
	}
	return pm
}
