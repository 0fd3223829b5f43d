// Package benchpb holds the Go code generated for gRPC's grpc.testing.BenchmarkService
// (and the messages it uses), with protoc-gen-go and actorrpc's own plugin: all five
// methods, unary and streaming.
package benchpb
