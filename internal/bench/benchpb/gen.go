package benchpb

// Regenerate the Go code for grpc/testing/{messages,benchmark_service}.proto from
// /work/shared/interop/proto (copies of gRPC's protos). They have no go_package, so the M
// options place them here. Needs protoc and protoc-gen-go v1.36.12 on PATH; the actorrpc
// plugin is built from the repository root and generates every method, streaming ones
// included.
//
// These files register grpc/testing/messages.proto in the global protobuf registry, as does
// grpc-go's google.golang.org/grpc/interop/grpc_testing: never link both into one binary.
//go:generate go build -C ../../.. -o internal/bench/benchpb/protoc-gen-go-actorrpc ./cmd/protoc-gen-go-actorrpc
//go:generate protoc -I ../../../../shared/interop/proto --go_out=. --go_opt=module=github.com/actorrpc/actorrpc/internal/bench/benchpb --go_opt=Mgrpc/testing/messages.proto=github.com/actorrpc/actorrpc/internal/bench/benchpb --go_opt=Mgrpc/testing/benchmark_service.proto=github.com/actorrpc/actorrpc/internal/bench/benchpb --plugin=protoc-gen-go-actorrpc=protoc-gen-go-actorrpc --go-actorrpc_out=. --go-actorrpc_opt=module=github.com/actorrpc/actorrpc/internal/bench/benchpb,Mgrpc/testing/messages.proto=github.com/actorrpc/actorrpc/internal/bench/benchpb,Mgrpc/testing/benchmark_service.proto=github.com/actorrpc/actorrpc/internal/bench/benchpb grpc/testing/messages.proto grpc/testing/benchmark_service.proto
//go:generate rm protoc-gen-go-actorrpc
