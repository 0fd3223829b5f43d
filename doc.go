// Package actorrpc is a gRPC runtime in which every call and every stream is an actor.
//
// A client dials a Channel, which owns the connectivity state of one target and a
// connection actor per HTTP/2 connection. Each call is an actor that talks to the
// connection actor by message; deadlines, cancellation and failures are messages too.
// Calls can block (Invoke), return a Future (InvokeAsync, generated Async methods), or
// deliver their result to an actor (Future.PipeTo).
//
// A Server accepts connections, spawns a connection actor for each and a call actor
// for each stream. A method is served either by a plain blocking Go function, or by an
// actor that receives each call as a *UnaryCall message and answers by message.
//
// The wire format is gRPC over HTTP/2 and interoperates with grpc-go in both directions.
package actorrpc
