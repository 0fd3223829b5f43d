// protoc-gen-go-actorrpc is a protoc plugin that generates actorrpc client and server
// code for the services in .proto files. Install it on your PATH:
//
//	go install github.com/actorrpc/actorrpc/cmd/protoc-gen-go-actorrpc
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
//   - FooClient with a blocking method and a FooAsync variant, which returns an
//     *actorrpc.Future, per RPC; NewFooClient builds one on an actorrpc.ClientConnInterface.
//   - FooServer, UnimplementedFooServer (to embed) and UnsafeFooServer.
//   - RegisterFooServer, to serve the methods with plain Go functions, and
//     RegisterFooActor, to serve them with an actor that receives *actorrpc.UnaryCall.
//   - Foo_ServiceDesc and a Foo_Method_FullMethodName constant per method.
//
// The plugin accepts protogen's standard options (paths, module, M) and:
//
//	skip_streaming=true
//
// The actorrpc runtime does not support streaming RPCs yet, so by default the plugin
// fails on a streaming method. With skip_streaming=true it generates the unary methods
// only and lists the omitted streaming methods in the interfaces' doc comments.
package main
