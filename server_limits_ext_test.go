package actorrpc_test

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/internal/rawh2"
)

// Limit tests: the settings a server announces, and what it does to a peer that goes past
// them or floods it. Each reads like RFC 9113: write frames, expect frames.

const holdPath = "/limtest.Hold/Hold"

// holdService's Hold announces itself on started and returns only once release is closed,
// whatever its context says: a handler that outlives its stream.
type holdService struct {
	started chan struct{}
	release chan struct{}
}

var holdDesc = actorrpc.ServiceDesc{
	ServiceName: "limtest.Hold",
	Methods: []actorrpc.MethodDesc{{
		MethodName: "Hold",
		NewRequest: func() proto.Message { return new(wrapperspb.StringValue) },
		Handler: func(srv any, _ context.Context, _ proto.Message) (proto.Message, error) {
			h := srv.(*holdService)
			h.started <- struct{}{}
			<-h.release
			return wrapperspb.String("released"), nil
		},
	}},
}

// startHoldServer serves holdDesc and rawEchoDesc on loopback until the test ends; the
// held handlers are released before the server stops.
func startHoldServer(t *testing.T, opts ...actorrpc.ServerOption) (addr string, hold *holdService) {
	t.Helper()
	srv := actorrpc.NewServer(append([]actorrpc.ServerOption{
		actorrpc.WithActorSystem(actors.NewSystem()), actorrpc.WithLogger(slog.New(slog.DiscardHandler)),
	}, opts...)...)
	hold = &holdService{started: make(chan struct{}, 64), release: make(chan struct{})}
	srv.RegisterService(&holdDesc, hold)
	srv.RegisterService(&rawEchoDesc, &rawEchoService{started: make(chan struct{}, 1), canceled: make(chan error, 1)})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		close(hold.release)
		srv.Stop()
		assert.NoError(t, <-served, "Serve after Stop")
	})
	return lis.Addr().String(), hold
}

// waitStarted waits for n held handlers to start.
func (h *holdService) waitStarted(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		select {
		case <-h.started:
		case <-time.After(rawh2.DefaultTimeout):
			t.Fatalf("%d of %d held handlers started; want all", i, n)
		}
	}
}

// holdRequest opens stream id with a complete Hold request.
func holdRequest(t *testing.T, p *rawh2.Peer, id uint32) {
	t.Helper()
	p.WriteHeaders(id, false, rawRequestHeaders(holdPath)...)
	p.WriteData(id, true, rawMsg(0, mustMarshal(t, wrapperspb.String("hold"))))
}

func TestRawServerAnnouncesLimits(t *testing.T) {
	tests := []struct {
		name            string
		opts            []actorrpc.ServerOption
		wantStreams     uint32
		wantHeaderBytes uint32
	}{
		{name: "defaults", wantStreams: 1000, wantHeaderBytes: 16 << 10},
		{name: "configured", opts: []actorrpc.ServerOption{actorrpc.MaxConcurrentStreams(2), actorrpc.MaxHeaderListSize(4096)},
			wantStreams: 2, wantHeaderBytes: 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, _ := startHoldServer(t, tt.opts...)
			p := rawh2.Dial(t, addr)
			got, ok := p.PeerSettings[http2.SettingMaxConcurrentStreams]
			assert.True(t, ok && got == tt.wantStreams, "got SETTINGS_MAX_CONCURRENT_STREAMS %d (announced %v); want %d", got, ok, tt.wantStreams)
			got, ok = p.PeerSettings[http2.SettingMaxHeaderListSize]
			assert.True(t, ok && got == tt.wantHeaderBytes, "got SETTINGS_MAX_HEADER_LIST_SIZE %d (announced %v); want %d", got, ok, tt.wantHeaderBytes)
		})
	}
}

func TestRawServerRefusesStreamsBeyondTheLimit(t *testing.T) {
	// RFC 9113 §5.1.2: a HEADERS frame beyond the advertised limit is a stream error;
	// REFUSED_STREAM says the stream was not processed.
	addr, hold := startHoldServer(t, actorrpc.MaxConcurrentStreams(2))
	p := rawh2.Dial(t, addr)
	holdRequest(t, p, 1)
	holdRequest(t, p, 3)
	hold.waitStarted(t, 2)
	holdRequest(t, p, 5)
	s := p.ReadUntilStreamEnd(5)
	require.True(t, s.Reset, "got %v on stream 5; want RST_STREAM(REFUSED_STREAM)", s.Frames)
	assert.Equal(t, http2.ErrCodeRefusedStream, s.ResetCode, "got RST_STREAM(%v); want REFUSED_STREAM", s.ResetCode)

	// The refused stream's DATA is dropped without harm; once a stream ends there is room.
	p.WriteRSTStream(1, http2.ErrCodeCancel)
	p.WriteHeaders(7, false, rawRequestHeaders(echoPath)...)
	p.WriteData(7, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("room")))))
	requireRawStatus(t, p.ReadUntilStreamEnd(7), "0")
}

func TestChannelQueuesCallsBeyondTheServerLimit(t *testing.T) {
	// The server takes 2 streams at a time; the first two calls wait until both are in
	// the handler together. All 10 succeed: the client queues the others as actor state.
	const calls, limit = 10, 2
	var inflight, most, arrivals atomic.Int32
	bothIn := make(chan struct{})
	e := newEnv(t, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		switch arrivals.Add(1) {
		case limit:
			close(bothIn)
		case 1:
			<-bothIn
		}
		return echo(ctx, req)
	}, []actorrpc.ServerOption{actorrpc.MaxConcurrentStreams(limit)})
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range calls {
		wg.Go(func() { errs <- hello(testCtx(t), e.ch) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.LessOrEqual(t, most.Load(), int32(limit), "got %d calls in handlers at once; want at most the server's limit %d", most.Load(), limit)
}

// manyFields is a header list of n "x-h: v" fields: 36 bytes each as
// SETTINGS_MAX_HEADER_LIST_SIZE counts, a few bytes each once HPACK indexes them.
func manyFields(n int) []hpack.HeaderField {
	out := make([]hpack.HeaderField, n)
	for i := range out {
		out[i] = hpack.HeaderField{Name: "x-h", Value: "v"}
	}
	return out
}

func TestRawServerHeaderListSize(t *testing.T) {
	addr, _ := startHoldServer(t, actorrpc.MaxHeaderListSize(4096))
	good := rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("hi"))))

	t.Run("under the limit", func(t *testing.T) {
		p := rawh2.Dial(t, addr)
		p.WriteHeaders(1, false, rawRequestHeaders(echoPath, manyFields(50)...)...)
		p.WriteData(1, true, good)
		requireRawStatus(t, p.ReadUntilStreamEnd(1), "0")
	})

	t.Run("over the limit: 431 and RESOURCE_EXHAUSTED", func(t *testing.T) {
		// RFC 9113 §10.5.1: "A server that receives a larger header section than it is
		// willing to handle can send an HTTP 431 (Request Header Fields Too Large)".
		p := rawh2.Dial(t, addr)
		p.WriteHeaders(1, false, rawRequestHeaders(echoPath, manyFields(200)...)...)
		p.WriteData(1, true, good)
		s := p.ReadUntilStreamEnd(1)
		require.True(t, s.Ended, "got %v; want a response that ends the stream", s.Frames)
		st, _ := rawh2.Field(s.Headers, ":status")
		assert.Equal(t, "431", st, "got :status %s; want 431", st)
		code, _ := s.Status()
		assert.Equal(t, "8", code, "got grpc-status %s; want 8 (RESOURCE_EXHAUSTED)", code)
		// The connection serves on.
		p.WriteHeaders(3, false, rawRequestHeaders(echoPath)...)
		p.WriteData(3, true, good)
		requireRawStatus(t, p.ReadUntilStreamEnd(3), "0")
	})

	t.Run("CONTINUATION flood: GOAWAY(PROTOCOL_ERROR)", func(t *testing.T) {
		// CVE-2024-27316: a header block that never ends. x/net's Framer stops at the
		// first fragment past the limit; the server sends GOAWAY and closes.
		p := rawh2.Dial(t, addr)
		block := p.EncodeHeaders(rawRequestHeaders(echoPath))
		require.NoError(t, p.Framer.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block}))
		frag := p.EncodeHeaders([]hpack.HeaderField{{Name: "x-flood", Value: strings.Repeat("f", 1000)}})
		sent := 0
		for ; sent < 10_000; sent++ {
			if err := p.Framer.WriteContinuation(1, false, frag); err != nil {
				break // the server closed the connection
			}
		}
		g := p.ReadGoAway()
		assert.Equal(t, http2.ErrCodeProtocol, g.ErrCode, "got %v; want GOAWAY(PROTOCOL_ERROR)", g)
		p.ReadUntilClosed()
		rawGoodCall(t, addr)
	})
}

func TestChannelHeaderListSize(t *testing.T) {
	// One field larger than the limit is an HPACK error (x/net's decoder caps a string at
	// the limit): a connection error. Many fields make a list over the limit.
	var bigList []string
	for i := range 30 {
		bigList = append(bigList, "x-big-"+strings.Repeat("k", i), strings.Repeat("v", 40))
	}
	big := strings.Repeat("m", 2000)
	e := newEnv(t, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		if err := actorrpc.SetHeader(ctx, actorrpc.Pairs(bigList...)); err != nil {
			return nil, err
		}
		return echo(ctx, req)
	}, []actorrpc.ServerOption{actorrpc.MaxHeaderListSize(1024)}, actorrpc.MaxHeaderListSize(1024))
	tests := []struct {
		name     string
		ctx      func(ctx context.Context) context.Context
		wantCode actorrpc.Code
		wantMsg  string
	}{
		{
			name:     "request over the server's announced limit",
			ctx:      func(ctx context.Context) context.Context { return actorrpc.AppendOutgoing(ctx, "x-req", big) },
			wantCode: actorrpc.Internal,
			wantMsg:  "SETTINGS_MAX_HEADER_LIST_SIZE (1024 bytes)",
		},
		{
			name:     "response over the client's limit",
			ctx:      func(ctx context.Context) context.Context { return ctx },
			wantCode: actorrpc.ResourceExhausted,
			wantMsg:  "client's SETTINGS_MAX_HEADER_LIST_SIZE (1024 bytes)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := hello(tt.ctx(testCtx(t)), e.ch)
			assert.Equal(t, tt.wantCode, actorrpc.CodeOf(err), "got %v; want %v", err, tt.wantCode)
			assert.Contains(t, actorrpc.StatusOf(err).Message(), tt.wantMsg)
		})
	}
}

func TestRawServerRapidReset(t *testing.T) {
	// CVE-2023-44487: streams opened and reset at once keep handlers running while the
	// open streams stay under the limit. As x/net's server, up to 4×MAX_CONCURRENT_STREAMS
	// such handlers beyond the limit, then GOAWAY(ENHANCE_YOUR_CALM).
	const limit = 2
	addr, hold := startHoldServer(t, actorrpc.MaxConcurrentStreams(limit))
	p := rawh2.Dial(t, addr)
	id := uint32(1)
	for range limit * 5 {
		holdRequest(t, p, id)
		hold.waitStarted(t, 1)
		p.WriteRSTStream(id, http2.ErrCodeCancel)
		id += 2
	}
	holdRequest(t, p, id)
	var before []*rawh2.Frame
	for {
		f, err := p.ReadFrame()
		require.NoError(t, err, "reading until GOAWAY after %v", before)
		if f.Type == http2.FrameGoAway {
			assert.Equal(t, http2.ErrCodeEnhanceYourCalm, f.ErrCode, "got %v; want GOAWAY(ENHANCE_YOUR_CALM)", f)
			assert.Contains(t, string(f.Data), "too_many_early_resets")
			assert.Equal(t, id-2, f.LastStreamID, "got last stream id %d; want %d", f.LastStreamID, id-2)
			break
		}
		before = append(before, f)
	}
	for _, f := range before {
		assert.NotEqual(t, http2.FrameRSTStream, f.Type, "got %v before GOAWAY; want every reset stream accepted", f)
	}
	p.ReadUntilClosed()
}

func TestServerControlFrameFloodWhileWritesBlock(t *testing.T) {
	// A peer that sends control frames and never reads our answers. Over net.Pipe every
	// write blocks until the peer reads, so the answers queue up: past 10000 unanswered
	// frames the server stops reading the peer (its memory stays bounded), answers what it
	// read, then sends GOAWAY(ENHANCE_YOUR_CALM). PINGs also break the keepalive policy
	// (more than 2 within MinTime): that GOAWAY comes first once the peer reads.
	tests := []struct {
		name      string
		write     func(p *rawh2.Peer, i int) error
		wantDebug string
	}{
		{
			name:      "SETTINGS",
			write:     func(p *rawh2.Peer, _ int) error { return p.Framer.WriteSettings() },
			wantDebug: "more than 10000 PING and SETTINGS frames",
		},
		{
			name:      "PING",
			write:     func(p *rawh2.Peer, i int) error { return p.Framer.WritePing(false, [8]byte{byte(i >> 8), byte(i)}) },
			wantDebug: "too_many_pings",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) { controlFlood(t, tt.write, tt.wantDebug) })
		})
	}
}

func controlFlood(t *testing.T, write func(p *rawh2.Peer, i int) error, wantDebug string) {
	n := newMemNet()
	stop := bubbleServer(t, n, echo)
	defer stop()
	nc, err := n.Dial(context.Background(), "mem")
	require.NoError(t, err)
	p := rawh2.Client(t, nc)
	defer p.Close()
	// Write until the server stops reading: a write then waits out its deadline, which is
	// well within the second the server gives its last GOAWAY to be read before closing.
	require.NoError(t, nc.SetWriteDeadline(time.Now().Add(100*time.Millisecond)))
	flood := 0
	for ; flood < 20_000; flood++ {
		if err := write(p, flood); err != nil {
			break
		}
	}
	require.Greater(t, flood, 10_000, "the server stopped reading after %d frames; want it to read past 10000", flood)
	require.Less(t, flood, 20_000, "the server read all %d frames; want it to stop past 10000 unanswered", flood)
	answers := 0
	for {
		f, err := p.ReadFrame()
		require.NoError(t, err, "after %d answers", answers)
		if f.Type == http2.FrameGoAway {
			assert.Equal(t, http2.ErrCodeEnhanceYourCalm, f.ErrCode, "got %v; want GOAWAY(ENHANCE_YOUR_CALM)", f)
			assert.Contains(t, string(f.Data), wantDebug)
			break
		}
		answers++
	}
	assert.Less(t, answers, flood, "got %d answers; want fewer than the %d frames", answers, flood)
	_, err = p.ReadFrame()
	assert.True(t, rawh2.IsClosed(err), "got %v after GOAWAY; want the connection closed", err)
	synctest.Wait()
}
