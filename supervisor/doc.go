// Package supervisor holds actorrpc's supervision policies: what the failure of each actor
// in the tree means.
//
// The client tree (call and stream actors are children of the channel, not of a
// connection: a call exists before it has a connection, and outlives a connection that
// fails under a wait-for-ready call):
//
//	root guardian
//	└── channel actor ............ StopOnFailure for its children
//	    ├── connection actor ..... fails → its calls get ConnectionLost (UNAVAILABLE);
//	    │                          the channel goes IDLE / reconnects with backoff
//	    ├── unary call actor ..... fails → its call ends INTERNAL; siblings go on
//	    └── stream actor ......... fails → its stream ends INTERNAL; siblings go on
//	StopOnFailure guardian
//	└── unary call actor ......... started on a READY channel: the caller spawns it and
//	                               sends its OpenStream to the connection itself (no hop
//	                               through the channel actor); fails → its call ends
//	                               INTERNAL. The connection, not the channel, tells it
//	                               that the connection is gone (StreamReset, or an answer
//	                               to an OpenStream left in its mailbox), and CANCELLED
//	                               once the channel is closed.
//
// The server tree (a connection spawns its call and stream actors under the server's
// StopOnFailure guardian, not as its children: protoactor-go's child bookkeeping, a
// registry entry and a Terminated per call, stays off the connection's path; each tells
// its connection it stopped with actors.OwnerStopped instead, and the connection tells
// each that it is gone with StreamReset):
//
//	root guardian
//	└── server actor ............. StopOnFailure for its children
//	    └── connection actor ..... fails → its calls get StreamReset and end (RST_STREAM),
//	                               the socket closes; the server and its other
//	                               connections go on
//	StopOnFailure guardian (one per server)
//	├── unary call actor ......... handler panics → the call ends INTERNAL ("grpc: handler
//	│                              panicked: ..."); the connection goes on
//	└── stream actor ............. the same, for streaming handlers
//
// Actors that users supply (RegisterActorService, actor-driven streams) live in the user's
// own tree; actorrpc.EndCallOnPanic is the strategy that ends the call an actor was
// handling when it panicked, with INTERNAL, and then restarts it (or applies another
// strategy).
//
// No actor of actorrpc is restarted: a call actor that fails ends its call, a connection
// actor that fails ends its calls and its parent reconnects or forgets it. Every failure is
// published on the actor system's event stream as a *Failure, carrying the panic value and
// the stack (KeepStack and CaptureStack keep it), and logged at error level.
package supervisor
