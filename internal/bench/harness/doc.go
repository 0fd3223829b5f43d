// Package harness is the part of the benchmark programs that does not depend on which RPC
// runtime is measured: the workloads, the closed-loop load generator, latency histograms,
// per-process cost counters (CPU time, allocations, write syscalls), the server's admin
// endpoint and profiling flags, and the JSON records the programs exchange with
// cmd/benchreport.
//
// It imports neither actorrpc's nor grpc-go's generated code, so each benchmark program
// links only one copy of the grpc.testing protos.
package harness
