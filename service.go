package actorrpc

import (
	"context"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"
)

// ClientConnInterface is what generated client stubs call. *Channel implements it.
type ClientConnInterface interface {
	// Invoke performs a unary call and blocks until it ends. resp is filled on success.
	Invoke(ctx context.Context, method string, req, resp proto.Message, opts ...CallOption) error
	// StartUnary begins a unary call without blocking. done is called exactly once, from an
	// actor, when the call ends; resp is filled before done is called with a nil error.
	StartUnary(ctx context.Context, method string, req, resp proto.Message, done func(error), opts ...CallOption)
	// NewStream starts a streaming call driven through the returned blocking handle.
	NewStream(ctx context.Context, desc *StreamDesc, method string, opts ...CallOption) (ClientStream, error)
	// StartStream starts a streaming call driven by the actor subscriber: it receives
	// *StreamHeader, *StreamMessage (decoded with newResponse) and *StreamEnd, and sends
	// with the returned *StreamRef.
	StartStream(ctx context.Context, desc *StreamDesc, method string, subscriber *actor.PID, newResponse func() proto.Message, opts ...CallOption) (*StreamRef, error)
	// ActorSystem is the actor system the calls run in (futures pipe results through it).
	ActorSystem() *actor.ActorSystem
}

// ServiceRegistrar is what generated Register functions call. *Server implements it.
type ServiceRegistrar interface {
	// RegisterService registers impl, which must implement desc.HandlerType, as the service's handler.
	RegisterService(desc *ServiceDesc, impl any)
	// RegisterActorService serves every method of desc with the actor pid: each call arrives
	// as a *UnaryCall message, and the actor answers with Respond or Fail.
	RegisterActorService(desc *ServiceDesc, pid *actor.PID)
}

// ServiceDesc describes a service for registration. Generated code declares one per service.
type ServiceDesc struct {
	// ServiceName is the fully qualified service name, e.g. "helloworld.Greeter".
	ServiceName string
	// HandlerType is a pointer to the server interface, used to check implementations.
	HandlerType any
	// Methods are the unary methods.
	Methods []MethodDesc
	// Streams are the streaming methods.
	Streams []StreamDesc
	// Metadata is the .proto file the service was generated from.
	Metadata string
}

// MethodDesc describes one unary method.
type MethodDesc struct {
	// MethodName is the method's simple name, e.g. "SayHello".
	MethodName string
	// NewRequest returns an empty request message to decode into.
	NewRequest func() proto.Message
	// Handler calls the method on srv, the registered implementation.
	Handler func(srv any, ctx context.Context, req proto.Message) (proto.Message, error)
}

// StreamDesc describes one streaming method.
type StreamDesc struct {
	// StreamName is the method's simple name, e.g. "BidiHello".
	StreamName string
	// Handler serves the method with srv, the registered implementation.
	Handler func(srv any, stream ServerStream) error
	// ServerStreams says the server sends a stream of messages.
	ServerStreams bool
	// ClientStreams says the client sends a stream of messages.
	ClientStreams bool
	// NewRequest returns an empty request message (for methods served by actors).
	NewRequest func() proto.Message
}

// InvokeAsync starts a unary call on cc and returns a Future for its response at once.
// Generated Async methods call it.
func InvokeAsync[T proto.Message](ctx context.Context, cc ClientConnInterface, method string, req proto.Message, resp T, opts ...CallOption) *Future[T] {
	f := newFuture[T](cc.ActorSystem())
	cc.StartUnary(ctx, method, req, resp, func(err error) {
		if err != nil {
			var zero T
			f.complete(zero, err)
			return
		}
		f.complete(resp, nil)
	}, opts...)
	return f
}
