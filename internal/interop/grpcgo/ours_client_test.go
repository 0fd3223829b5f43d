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
// server ignores expect_compressed and response_compressed
// (TestOurCompressionCasesNoticeGrpcGoServer shows that the cases notice).
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

// TestOurCompressionCasesNoticeGrpcGoServer: grpc-go's interop TestService ignores
// expect_compressed and response_compressed, and each compression case fails against it
// saying so: the cases check the server's behaviour, not only that calls succeed.
func TestOurCompressionCasesNoticeGrpcGoServer(t *testing.T) {
	addr := startGrpcGoServer(t)
	tests := []struct {
		name, want string
	}{
		{"client_compressed_unary", "UnaryCall feature probe (expect_compressed true, sent uncompressed): got <nil> (code OK); want code INVALID_ARGUMENT"},
		{"server_compressed_unary", "UnaryCall response Compressed-Flags on the wire: got [false]; want [true]"},
		{"client_compressed_streaming", "StreamingInputCall feature probe (expect_compressed true, sent uncompressed): got <nil> (code OK); want code INVALID_ARGUMENT"},
		{"server_compressed_streaming", "StreamingOutputCall responses Compressed-Flags on the wire: got [false false]; want [true false]"},
	}
	require.Len(t, tests, len(interop.CompressionCases()))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tap := interop.NewWireTap()
			env := interop.Env{Channel: dialOurs(t, addr, tap.DialOption()), Wire: tap}
			require.EqualError(t, interop.RunCase(testCtx(t), tt.name, env), tt.want)
		})
	}
}
