// Package benchpb holds the Go code generated for gRPC's grpc.testing.BenchmarkService
// (and the messages it uses), with protoc-gen-go and actorrpc's own plugin. Only the unary
// method is generated for actorrpc until the runtime streams.
package benchpb
