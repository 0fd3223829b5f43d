package actorrpc_test

import (
	"context"
	"log/slog"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/rawh2"
)

// TestServerEndsOverrunningCallWithDeadlineExceeded: a client that does not enforce its own
// deadline (a raw HTTP/2 peer sending grpc-timeout) still gets DEADLINE_EXCEEDED from the
// server when the handler ignores its context and overruns; the handler's ctx is done.
func TestServerEndsOverrunningCallWithDeadlineExceeded(t *testing.T) {
	release := make(chan struct{})
	handlerCtxErr := make(chan error, 1)
	desc := actorrpc.ServiceDesc{
		ServiceName: "deadline.Slow",
		Methods: []actorrpc.MethodDesc{{
			MethodName: "Ignore",
			NewRequest: func() proto.Message { return new(wrapperspb.StringValue) },
			Handler: func(_ any, ctx context.Context, _ proto.Message) (proto.Message, error) {
				<-release // ignores ctx on purpose
				handlerCtxErr <- ctx.Err()
				return wrapperspb.String("too late"), nil
			},
		}},
	}
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()), actorrpc.WithLogger(slog.New(slog.DiscardHandler)))
	srv.RegisterService(&desc, struct{}{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	defer func() {
		srv.Stop()
		<-served
	}()

	p := rawh2.Dial(t, lis.Addr().String())
	defer p.Close()
	p.WriteHeaders(1, false, rawRequestHeaders("/deadline.Slow/Ignore", hpack.HeaderField{Name: "grpc-timeout", Value: "100m"})...)
	p.WriteData(1, true, rawMsg(0, mustMarshal(t, wrapperspb.String("hi"))))
	s := p.ReadUntilStreamEnd(1)
	requireRawStatus(t, s, "4")
	close(release)
	assert.ErrorIs(t, <-handlerCtxErr, context.DeadlineExceeded, "the handler's ctx ended with the deadline")
}
