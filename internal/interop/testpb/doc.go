// Package testpb holds the messages and actorrpc services of gRPC's interop tests
// (package grpc.testing: TestService, UnimplementedService and the others), generated
// from ../proto/grpc/testing by protoc-gen-go and protoc-gen-go-actorrpc. Streaming
// methods are omitted until the runtime supports them. Run go generate to regenerate.
package testpb
