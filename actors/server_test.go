package actors

import (
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/internal/rawh2"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return lis
}

func recvErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(waitFor):
		t.Fatalf("got nothing in %v; want the outcome of Serve", waitFor)
		return nil
	}
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitFor):
		t.Fatalf("%s: not done after %v", what, waitFor)
	}
}

var getRequest = []hpack.HeaderField{
	{Name: ":method", Value: "POST"}, {Name: ":scheme", Value: "http"},
	{Name: ":path", Value: "/s/m"}, {Name: "content-type", Value: "application/grpc"},
}

// streamServer spawns a server actor whose streams are owned by a probe-like child of the
// connection that reports each IncomingStream and what follows on owners.
func streamServer(t *testing.T, system *actor.ActorSystem, owners chan any) *actor.PID {
	t.Helper()
	var newStream func(ctx actor.Context, s IncomingStream) StreamOwner
	if owners != nil {
		newStream = func(ctx actor.Context, s IncomingStream) StreamOwner {
			owners <- s
			return StreamOwner{PID: ctx.Spawn(actor.PropsFromProducer(func() actor.Actor { return &probe{msgs: owners} }))}
		}
	}
	pid := system.Root.Spawn(NewServerProps(ServerParams{NewStream: newStream}))
	t.Cleanup(func() { _ = system.Root.StopFuture(pid).Wait() })
	return pid
}

func TestServerActorStopClosesConnections(t *testing.T) {
	system := NewSystem()
	srv := streamServer(t, system, nil)
	lis := listen(t)
	served := make(chan error, 1)
	system.Root.Send(srv, &Serve{Listener: lis, Done: served})

	p := rawh2.Dial(t, lis.Addr().String())
	// No NewStream: RFC 9113 §8.7, REFUSED_STREAM says the stream was not processed.
	p.WriteHeaders(1, true, getRequest...)
	s := p.ReadUntilStreamEnd(1)
	require.True(t, s.Reset, "got %v; want RST_STREAM(REFUSED_STREAM)", s.Frames)
	assert.Equal(t, http2.ErrCodeRefusedStream, s.ResetCode)

	stopped := make(chan struct{})
	system.Root.Send(srv, &StopServer{Done: stopped})
	waitClosed(t, stopped, "StopServer")
	assert.NoError(t, recvErr(t, served), "Serve's outcome after StopServer; want nil")
	frames := p.ReadUntilClosed()
	require.NotEmpty(t, frames, "got no frame before close; want GOAWAY(NO_ERROR)")
	last := frames[len(frames)-1]
	assert.Equal(t, http2.FrameGoAway, last.Type, "got %v last; want GOAWAY", last)
	assert.Equal(t, http2.ErrCodeNo, last.ErrCode, "got %v; want GOAWAY(NO_ERROR)", last)
	assert.Equal(t, uint32(1), last.LastStreamID, "got %v; want last stream id 1", last)

	_, err := net.DialTimeout("tcp", lis.Addr().String(), time.Second)
	assert.Error(t, err, "dial after StopServer succeeded; want the listener closed")

	// Serve after StopServer fails at once and closes the listener.
	lis2 := listen(t)
	system.Root.Send(srv, &Serve{Listener: lis2, Done: served})
	assert.Error(t, recvErr(t, served), "Serve after StopServer; want an error")
	_, err = lis2.Accept()
	assert.ErrorIs(t, err, net.ErrClosed, "Accept on the listener given after StopServer; want it closed")
}

func TestServerActorGracefulStop(t *testing.T) {
	system := NewSystem()
	owners := make(chan any, 64)
	srv := streamServer(t, system, owners)
	lis := listen(t)
	served := make(chan error, 1)
	system.Root.Send(srv, &Serve{Listener: lis, Done: served})

	p := rawh2.Dial(t, lis.Addr().String())
	p.WriteHeaders(1, true, getRequest...)
	in := expect[IncomingStream](t, owners)
	assert.Equal(t, uint32(1), in.StreamID)
	assert.True(t, in.EndStream, "got EndStream false; want the HEADERS' END_STREAM")

	stopped := make(chan struct{})
	system.Root.Send(srv, &StopServer{Graceful: true, Done: stopped})
	assert.NoError(t, recvErr(t, served), "Serve's outcome after StopServer; want nil")
	// RFC 9113 §6.8: first GOAWAY(2^31-1) and a PING; its ACK brings the real last id.
	g := p.ReadGoAway()
	assert.Equal(t, http2.ErrCodeNo, g.ErrCode, "got %v; want GOAWAY(NO_ERROR)", g)
	assert.Equal(t, uint32(1<<31-1), g.LastStreamID, "got %v; want last stream id 2^31-1 first", g)
	ping, err := p.ReadFrame()
	require.NoError(t, err)
	require.True(t, ping.Type == http2.FramePing && !ping.IsAck(), "got %v; want a PING after the first GOAWAY", ping)
	p.WritePing(true, [8]byte(ping.Data))
	g = p.ReadGoAway()
	assert.Equal(t, http2.ErrCodeNo, g.ErrCode, "got %v; want GOAWAY(NO_ERROR)", g)
	assert.Equal(t, uint32(1), g.LastStreamID, "got %v; want last stream id 1", g)

	// A stream opened after GOAWAY is refused; the one in flight finishes.
	p.WriteHeaders(3, true, getRequest...)
	s := p.ReadUntilStreamEnd(3)
	assert.True(t, s.Reset && s.ResetCode == http2.ErrCodeRefusedStream, "got %v; want RST_STREAM(REFUSED_STREAM)", s.Frames)
	select {
	case <-stopped:
		t.Fatal("StopServer done with a stream in flight; want it to wait")
	default:
	}
	system.Root.Send(in.Conn, &WriteStream{StreamID: 1,
		Headers:  []hpack.HeaderField{{Name: ":status", Value: "200"}},
		Data:     []byte{0, 0, 0, 0, 0},
		Trailers: []hpack.HeaderField{{Name: "grpc-status", Value: "0"}},
	})
	s = p.ReadUntilStreamEnd(1)
	require.True(t, s.Ended, "got %v; want the stream ended", s.Frames)
	st, _ := s.Status()
	assert.Equal(t, "0", st)
	p.ReadUntilClosed()
	waitClosed(t, stopped, "graceful StopServer")
}

func TestServerActorAcceptError(t *testing.T) {
	system := NewSystem()
	srv := streamServer(t, system, nil)
	lis := listen(t)
	served := make(chan error, 1)
	system.Root.Send(srv, &Serve{Listener: lis, Done: served})
	p := rawh2.Dial(t, lis.Addr().String()) // accepting works
	_ = lis.Close()
	err := recvErr(t, served)
	assert.ErrorIs(t, err, net.ErrClosed, "got Serve outcome %v; want the accept error", err)
	// The connection accepted before lives on.
	p.WritePing(false, [8]byte{7})
	for {
		f, err := p.ReadFrame()
		require.NoError(t, err)
		if f.Type == http2.FramePing {
			assert.True(t, f.IsAck(), "got %v; want PING ACK", f)
			break
		}
	}
}
