package grpcgo_test

import (
	"testing"

	"go.uber.org/goleak"

	// First of all: makes the double registration of grpc/testing/*.proto by testpb and
	// grpc-go's interop/grpc_testing a warning instead of a panic at init.
	_ "github.com/actorrpc/actorrpc/internal/interop/grpcgo/conflictwarn"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
