package grpcgo_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/interop"
)

// TestOurClientAgainstGrpcGoServer runs actorrpc's client for the 16 default cases
// against grpc-go's interop TestService. The compression cases are left out: grpc-go's
// server ignores expect_compressed and response_compressed (TestOurCompressionCasesFail
// AgainstGrpcGoServer shows that the cases notice).
func TestOurClientAgainstGrpcGoServer(t *testing.T) {
	addr := startGrpcGoServer(t)
	for _, name := range interop.DefaultCases() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			system := actors.NewSystem()
			env := interop.Env{
				Channel: dialOurs(t, addr),
				Dial:    func() (*actorrpc.Channel, error) { return actorrpc.Dial(addr, actorrpc.WithActorSystem(system)) },
				Soak: interop.SoakConfig{
					RequestSize: 271828, ResponseSize: 314159,
					PerIterationMaxAcceptableLatency: time.Second, OverallTimeout: 10 * time.Second,
					ServerAddr: addr, NumWorkers: 1, Iterations: 10,
				},
			}
			require.NoError(t, interop.RunCase(testCtx(t), name, env))
		})
	}
}
