// Package conflictwarn makes protobuf warn about, instead of panic on, a proto file
// registered twice. Import it (for its side effect) only from tests that link both
// actorrpc's testpb and grpc-go's interop/grpc_testing, which register the same
// grpc/testing/*.proto files.
//
// protobuf decides what a conflict does when one happens, by reading the environment
// variable GOLANG_PROTOBUF_REGISTRATION_CONFLICT (protoregistry.ignoreConflict in
// google.golang.org/protobuf/reflect/protoregistry/registry.go), so it is enough that this
// package's init sets it before the second of those packages registers its files. Go
// (≥ 1.21) initialises packages in import-path order among those whose imports are all
// initialised. This package imports only "os", so it is ready as soon as os is, long before
// either generated package (both need protobuf's runtime); and its path sorts before both
// ("github.com/actorrpc/actorrpc/internal/interop/grpcgo/..." < ".../interop/testpb" <
// "google.golang.org/..."). So it runs first whatever else the test links.
package conflictwarn

import "os"

// envVar is read by protobuf's registry at conflict time.
const envVar = "GOLANG_PROTOBUF_REGISTRATION_CONFLICT"

func init() {
	if os.Getenv(envVar) == "" {
		_ = os.Setenv(envVar, "warn")
	}
}
