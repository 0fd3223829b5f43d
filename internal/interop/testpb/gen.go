package testpb

// Regenerate the Go code for ../proto/grpc/testing/{empty,messages,test}.proto, copies of
// gRPC's interop test protos. They have no go_package, so the M options place them here.
// Needs protoc and protoc-gen-go v1.36.12 on PATH; the actorrpc plugin is built from this
// repository.
//go:generate go build -o protoc-gen-go-actorrpc ../../../cmd/protoc-gen-go-actorrpc
//go:generate protoc -I ../proto --go_out=. --go_opt=module=github.com/actorrpc/actorrpc/internal/interop/testpb --go_opt=Mgrpc/testing/empty.proto=github.com/actorrpc/actorrpc/internal/interop/testpb --go_opt=Mgrpc/testing/messages.proto=github.com/actorrpc/actorrpc/internal/interop/testpb --go_opt=Mgrpc/testing/test.proto=github.com/actorrpc/actorrpc/internal/interop/testpb --plugin=protoc-gen-go-actorrpc=protoc-gen-go-actorrpc --go-actorrpc_out=. --go-actorrpc_opt=module=github.com/actorrpc/actorrpc/internal/interop/testpb,Mgrpc/testing/empty.proto=github.com/actorrpc/actorrpc/internal/interop/testpb,Mgrpc/testing/messages.proto=github.com/actorrpc/actorrpc/internal/interop/testpb,Mgrpc/testing/test.proto=github.com/actorrpc/actorrpc/internal/interop/testpb grpc/testing/empty.proto grpc/testing/messages.proto grpc/testing/test.proto
//go:generate rm protoc-gen-go-actorrpc
