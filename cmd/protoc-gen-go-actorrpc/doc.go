// protoc-gen-go-actorrpc is a protoc plugin that generates actorrpc client and server
// code for the services in .proto files. Install it on your PATH, from a checkout of
// actorrpc:
//
//	go install ./cmd/protoc-gen-go-actorrpc
//
// and run it next to protoc-gen-go, which generates the message types:
//
//	protoc --go_out=. --go_opt=paths=source_relative \
//		--go-actorrpc_out=. --go-actorrpc_opt=paths=source_relative \
//		path/to/file.proto
//
// For each file with services it writes path/to/file_actorrpc.pb.go, in the same Go
// package as protoc-gen-go's path/to/file.pb.go. Per service Foo, the file holds:
//
//   - FooClient, built by NewFooClient on an actorrpc.ClientConnInterface. Per unary RPC
//     it has a blocking method and a FooAsync variant, which returns an *actorrpc.Future.
//     Per streaming RPC it has a blocking method, which returns a typed stream
//     (actorrpc.ServerStreamingClient, ClientStreamingClient or BidiStreamingClient),
//     and a FooActor variant, whose responses arrive at an actor as *actorrpc.StreamHeader,
//     *actorrpc.StreamMessage and *actorrpc.StreamEnd and which returns the
//     *actorrpc.StreamRef to send with.
//   - FooServer, UnimplementedFooServer (to embed) and UnsafeFooServer. Streaming methods
//     take the typed server stream (actorrpc.ServerStreamingServer and so on).
//   - RegisterFooServer, to serve the methods with plain Go functions, and
//     RegisterFooActor, to serve them with an actor that receives *actorrpc.UnaryCall
//     and *actorrpc.IncomingStreamCall.
//   - Foo_ServiceDesc, a Foo_Method_FullMethodName constant per method, and the
//     Foo_MethodClient and Foo_MethodServer stream type aliases that protoc-gen-go-grpc
//     also declares.
//
// The plugin accepts protogen's standard options (paths, module, M) and:
//
//	skip_streaming=true
//
// which leaves the streaming methods out and lists them in the interfaces' doc comments.
package main
