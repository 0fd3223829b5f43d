package actorrpc_test

import (
	"context"
	"errors"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/internal/rawh2"
)

// Transparent retry (gRPC proposal A6): a call whose stream the server never processed —
// RST_STREAM(REFUSED_STREAM), or a stream id above a GOAWAY's last-stream-id — is opened
// again without the caller seeing an error. The server here is a raw HTTP/2 peer, so each
// test states exactly what the server did with each stream.

// rawAnswer answers a SayHello request on stream id: headers, the reply, OK trailers.
func rawAnswer(t *testing.T, p *rawh2.Peer, id uint32, greeting string) {
	t.Helper()
	p.WriteHeaders(id, false, hpack.HeaderField{Name: ":status", Value: "200"}, hpack.HeaderField{Name: "content-type", Value: "application/grpc"})
	p.WriteData(id, false, rawMsg(0, mustMarshal(t, &hellopb.HelloResponse{Reply: "Hello, " + greeting + "!"})))
	p.WriteHeaders(id, true, hpack.HeaderField{Name: "grpc-status", Value: "0"})
}

// rawGreeting reads SayHello's request on stream id to its end and returns its greeting.
func rawGreeting(t *testing.T, p *rawh2.Peer, id uint32) string {
	t.Helper()
	s := p.ReadUntilStreamEnd(id)
	require.True(t, s.Ended && !s.Reset, "stream %d: got %v; want a complete request", id, s.Frames)
	require.GreaterOrEqual(t, len(s.Data), 5, "stream %d: got %d bytes of DATA; want a message", id, len(s.Data))
	var req hellopb.HelloRequest
	require.NoError(t, proto.Unmarshal(s.Data[5:], &req))
	return req.GetGreeting()
}

// rawServerNet returns a network, a listener on it for a raw server, and a channel dialing
// it; done closes the channel and the listener.
func rawServerNet(t *testing.T, opts ...actorrpc.DialOption) (*memNet, net.Listener, *actorrpc.Channel, func()) {
	n := newMemNet()
	lis := n.listen()
	ch := bubbleDial(t, n, opts...)
	return n, lis, ch, func() {
		_ = ch.Close()
		_ = lis.Close()
	}
}

// served records the greetings a raw server answered, i.e. processed.
type served struct {
	mu sync.Mutex
	g  []string
}

func (s *served) add(g string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.g = append(s.g, g)
}

func (s *served) sorted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.g...)
	sort.Strings(out)
	return out
}

func TestTransparentRetryOfUnprocessedCalls(t *testing.T) {
	// Three calls open streams 1, 3 and 5 on the first connection. The server answers
	// stream 1 and does not process 3 and 5; they must succeed anyway, each processed once.
	tests := []struct {
		name string
		// refuse is what the server does with streams 3 and 5 after answering stream 1.
		refuse func(p *rawh2.Peer)
		// second says the retried calls come on a second connection (else on the first:
		// a refused stream alone leaves the connection usable, as in grpc-go).
		second bool
	}{
		{
			name:   "GOAWAY with last-stream-id 1",
			refuse: func(p *rawh2.Peer) { p.WriteGoAway(1, http2.ErrCodeNo, "restarting") },
			second: true,
		},
		{
			name: "REFUSED_STREAM then GOAWAY",
			refuse: func(p *rawh2.Peer) {
				p.WriteRSTStream(3, http2.ErrCodeRefusedStream)
				p.WriteRSTStream(5, http2.ErrCodeRefusedStream)
				p.WriteGoAway(1, http2.ErrCodeNo, "restarting")
			},
			second: true,
		},
		{
			name: "REFUSED_STREAM alone",
			refuse: func(p *rawh2.Peer) {
				p.WriteRSTStream(3, http2.ErrCodeRefusedStream)
				p.WriteRSTStream(5, http2.ErrCodeRefusedStream)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				n, lis, ch, done := rawServerNet(t)
				defer done()
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()

				errs := make(chan error, 3)
				for _, g := range []string{"a", "b", "c"} {
					go func() {
						resp, err := hellopb.NewHelloServiceClient(ch).SayHello(ctx, &hellopb.HelloRequest{Greeting: g})
						if err == nil && resp.GetReply() != "Hello, "+g+"!" {
							err = errors.New("wrong reply " + resp.GetReply())
						}
						errs <- err
					}()
				}
				var got served
				p := rawh2.Accept(t, lis)
				defer p.Close()
				p.Timeout = time.Hour
				synctest.Wait() // the three streams are open
				first := rawGreeting(t, p, 1)
				rawGreeting(t, p, 3)
				rawGreeting(t, p, 5)
				rawAnswer(t, p, 1, first)
				got.add(first)
				tt.refuse(p)

				retried := p
				if tt.second {
					// The first connection takes no new streams; what arrives there is ignored.
					go func() { p.ReadUntilClosed() }()
					retried = rawh2.Accept(t, lis)
					defer retried.Close()
					retried.Timeout = time.Hour
				}
				synctest.Wait()
				ids := []uint32{7, 9}
				if tt.second {
					ids = []uint32{1, 3}
				}
				for _, id := range ids {
					g := rawGreeting(t, retried, id)
					rawAnswer(t, retried, id, g)
					got.add(g)
				}
				for range 3 {
					assert.NoError(t, <-errs, "a call the server never processed is retried, not failed")
				}
				assert.Equal(t, []string{"a", "b", "c"}, got.sorted(), "each call processed exactly once")
				wantDials := int32(1)
				if tt.second {
					wantDials = 2
				}
				assert.Equal(t, wantDials, n.dials.Load())
			})
		})
	}
}

func TestTransparentRetryIsBounded(t *testing.T) {
	// A server that refuses every stream: the call gives up after MaxTransparentRetries
	// retries with UNAVAILABLE naming the cause.
	bubble(t, func(t *testing.T) {
		_, lis, ch, done := rawServerNet(t)
		defer done()
		errc := make(chan error, 1)
		go func() { errc <- hello(context.Background(), ch) }()
		p := rawh2.Accept(t, lis)
		defer p.Close()
		p.Timeout = time.Hour
		const want = 1 + 5 // the first attempt and actors.MaxTransparentRetries retries
		refused := 0
		for refused < want {
			f, err := p.ReadFrame()
			require.NoError(t, err)
			if f.Type == http2.FrameHeaders {
				p.WriteRSTStream(f.StreamID, http2.ErrCodeRefusedStream)
				refused++
			}
		}
		err := <-errc
		st := actorrpc.StatusOf(err)
		assert.Equal(t, actorrpc.Unavailable, st.Code(), "got %v; want UNAVAILABLE", err)
		assert.Contains(t, st.Message(), "server refused the stream (REFUSED_STREAM)")
		assert.Contains(t, st.Message(), "gave up after 5 transparent retries")
		p.Timeout = time.Second
		for {
			f, err := p.ReadFrame()
			if errors.Is(err, rawh2.ErrTimeout) {
				break
			}
			require.NoError(t, err)
			assert.NotEqual(t, http2.FrameHeaders, f.Type, "got %v; want no attempt after the bound", f)
		}
	})
}

func TestTransparentRetryOfAStream(t *testing.T) {
	// A client stream refused after it sent its messages and half-closed is opened again
	// with the same messages, in order, and the half-close; one that sent more than the
	// replay buffer (256 KiB) before the refusal ends UNAVAILABLE instead.
	tests := []struct {
		name    string
		sizes   []int
		replays bool
	}{
		{"two small messages", []int{10, 20}, true},
		{"more than the replay buffer", []int{100 << 10, 100 << 10, 100 << 10}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				_, lis, ch, done := rawServerNet(t)
				defer done()
				desc := &actorrpc.StreamDesc{StreamName: "Up", ClientStreams: true}
				errc := make(chan error, 1)
				go func() {
					s, err := ch.NewStream(context.Background(), desc, "/test.Svc/Up")
					if err != nil {
						errc <- err
						return
					}
					for _, size := range tt.sizes {
						if err := s.SendMsg(&hellopb.HelloRequest{Greeting: strings.Repeat("x", size)}); err != nil {
							break
						}
					}
					_ = s.CloseSend()
					var resp hellopb.HelloResponse
					errc <- s.RecvMsg(&resp)
				}()
				p := rawh2.Accept(t, lis)
				defer p.Close()
				p.Timeout = time.Hour
				first := p.ReadUntilStreamEnd(1)
				require.True(t, first.Ended, "got %v; want the whole client stream", first.Frames)
				p.WriteRSTStream(1, http2.ErrCodeRefusedStream)
				if !tt.replays {
					err := <-errc
					assert.Equal(t, actorrpc.Unavailable, actorrpc.CodeOf(err), "got %v; want UNAVAILABLE", err)
					assert.Contains(t, actorrpc.StatusOf(err).Message(), "REFUSED_STREAM")
					return
				}
				again := p.ReadUntilStreamEnd(3)
				require.True(t, again.Ended, "got %v; want the replayed client stream", again.Frames)
				assert.Equal(t, first.Data, again.Data, "the retry carries the same messages in the same order")
				rawAnswer(t, p, 3, "x")
				assert.NoError(t, <-errc)
			})
		})
	}
}

func TestGracefulStopLosesNoNewCall(t *testing.T) {
	// Calls keep coming, back to back, while the server stops gracefully and a new one
	// starts: calls the old server had taken finish there; the ones it refused, or that met
	// its GOAWAY before they left, go to the new one. None fails because it was never
	// processed. (Real time, no bubble: the race needs calls starting as the GOAWAY lands.)
	n := newMemNet()
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()))
	hellopb.RegisterHelloServiceServer(srv, helloServer{fn: echo})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(n.listen()) }()
	ch := bubbleDial(t, n)
	defer ch.Close()
	require.NoError(t, hello(testCtx(t), ch))

	const workers, calls = 32, 200
	errs := make(chan error, workers*calls)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				errs <- hello(testCtx(t), ch)
			}
		}()
	}
	for range workers * calls / 4 { // a quarter of the calls done: the rest are coming
		require.NoError(t, <-errs)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- srv.GracefulStop(testCtx(t)) }()
	stopNew := bubbleServer(t, n, echo)
	defer stopNew()
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.NoError(t, <-stopped)
	assert.NoError(t, <-served)
	assert.GreaterOrEqual(t, n.dials.Load(), int32(2), "the channel connected to the new server")
}
