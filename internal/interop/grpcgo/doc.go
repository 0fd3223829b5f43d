// Package grpcgo holds the in-process interop tests between actorrpc and grpc-go, in both
// directions: grpc-go's interop client cases against actorrpc's TestService, actorrpc's
// client cases against grpc-go's, gzip compression each way (unary and streaming, each
// side checking that the other really compressed), server-side deadlines, and binary
// metadata.
//
// It has only tests: google.golang.org/grpc is a test dependency, and no package outside
// tests imports it. The tests link two generated packages of the same proto files, so they
// import conflictwarn first (see there).
package grpcgo
