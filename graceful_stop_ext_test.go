package actorrpc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/internal/rawh2"
)

const sayHelloPath = "/helloworld.HelloService/SayHello"

// firstCallHolds serves SayHello: the call on stream 1 (greeting "hold") waits for release
// (or its ctx), the others answer at once. (Deciding by arrival order would race: the
// handlers of streams 1 and 3 run concurrently.)
func firstCallHolds(release <-chan struct{}) helloFunc {
	return func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		if req.GetGreeting() == "hold" {
			return blockUntil(release)(ctx, req)
		}
		return echo(ctx, req)
	}
}

// helloRequest writes a complete SayHello request on stream id.
func helloRequest(t *testing.T, p *rawh2.Peer, id uint32) {
	t.Helper()
	greeting := "x"
	if id == 1 {
		greeting = "hold"
	}
	p.WriteHeaders(id, false, rawRequestHeaders(sayHelloPath)...)
	p.WriteData(id, true, rawMsg(0, mustMarshal(t, &hellopb.HelloRequest{Greeting: greeting})))
}

func TestGracefulStopTwoGoAways(t *testing.T) {
	// RFC 9113 §6.8: GOAWAY(2^31-1) and a PING; on the ACK (or after 5 s without one) the
	// real last stream id. Streams opened in between are served; later ones are refused
	// with REFUSED_STREAM; the call in flight finishes; then the connection closes.
	tests := []struct {
		name            string
		ack             bool
		wantSecondAfter time.Duration
	}{
		{name: "PING acknowledged", ack: true, wantSecondAfter: 0},
		{name: "PING not acknowledged", ack: false, wantSecondAfter: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				n := newMemNet()
				release := make(chan struct{})
				srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()))
				hellopb.RegisterHelloServiceServer(srv, helloServer{fn: firstCallHolds(release)})
				served := make(chan error, 1)
				go func() { served <- srv.Serve(n.listen()) }()
				nc, err := n.Dial(context.Background(), "mem")
				require.NoError(t, err)
				p := rawh2.Client(t, nc)
				defer p.Close()
				p.Timeout = time.Hour

				helloRequest(t, p, 1) // held in its handler
				stopped := make(chan error, 1)
				go func() { stopped <- srv.GracefulStop(context.Background()) }()

				g := p.ReadGoAway()
				assert.Equal(t, http2.ErrCodeNo, g.ErrCode, "got %v; want GOAWAY(NO_ERROR)", g)
				assert.Equal(t, uint32(1<<31-1), g.LastStreamID, "got %v; want last stream id 2^31-1 first", g)
				ping := rawReadUntil(t, p, http2.FramePing)
				require.False(t, ping.IsAck(), "got %v; want the server's PING", ping)

				// A stream the client opened before it saw the GOAWAY is served.
				helloRequest(t, p, 3)
				requireRawStatus(t, p.ReadUntilStreamEnd(3), "0")

				start := time.Now()
				if tt.ack {
					p.WritePing(true, [8]byte(ping.Data))
				}
				g = p.ReadGoAway()
				assert.Equal(t, tt.wantSecondAfter, time.Since(start), "got the second GOAWAY after %v; want %v", time.Since(start), tt.wantSecondAfter)
				assert.Equal(t, uint32(3), g.LastStreamID, "got %v; want the real last stream id 3", g)

				helloRequest(t, p, 5)
				s := p.ReadUntilStreamEnd(5)
				require.True(t, s.Reset, "got %v; want RST_STREAM(REFUSED_STREAM)", s.Frames)
				assert.Equal(t, http2.ErrCodeRefusedStream, s.ResetCode)

				select {
				case err := <-stopped:
					t.Fatalf("GracefulStop returned %v with a call in flight; want it to wait", err)
				default:
				}
				close(release)
				requireRawStatus(t, p.ReadUntilStreamEnd(1), "0")
				p.ReadUntilClosed()
				assert.NoError(t, <-stopped)
				assert.NoError(t, <-served)
			})
		})
	}
}

func TestGracefulStopGivesUpWhenCtxEnds(t *testing.T) {
	// A handler that never returns on its own: GracefulStop returns when its ctx ends,
	// cancelling the handler; the call ends with an error, nothing hangs.
	bubble(t, func(t *testing.T) {
		n := newMemNet()
		never := make(chan struct{})
		srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()))
		hellopb.RegisterHelloServiceServer(srv, helloServer{fn: blockUntil(never)})
		served := make(chan error, 1)
		go func() { served <- srv.Serve(n.listen()) }()
		ch := bubbleDial(t, n)
		defer ch.Close()
		errc := make(chan error, 1)
		go func() { errc <- hello(context.Background(), ch) }()
		time.Sleep(time.Second) // the call is in its handler

		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		err := srv.GracefulStop(ctx)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "GracefulStop returned %v; want its ctx's error", err)
		assert.Equal(t, time.Minute, time.Since(start), "GracefulStop returned after %v; want when its ctx ended", time.Since(start))
		callErr := <-errc
		assert.Error(t, callErr, "the cut-off call")
		assert.NoError(t, <-served)
	})
}
