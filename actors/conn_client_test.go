package actors

import (
	"net"
	"sort"
	"strings"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/internal/rawh2"
	"github.com/actorrpc/actorrpc/wire"
)

// clientConn is a client connection actor, child of a probe that also owns its streams,
// talking to a raw HTTP/2 server.
type clientConn struct {
	system *actor.ActorSystem
	probe  *actor.PID
	msgs   chan any
	conn   *actor.PID
	server *rawh2.Peer
}

// dialRaw connects a client connection actor to a raw server that announces settings,
// and waits for ConnectionReady.
func dialRaw(t *testing.T, settings ...http2.Setting) *clientConn {
	t.Helper()
	c := &clientConn{system: NewSystem()}
	c.probe, c.msgs = spawnProbe(t, c.system)
	lis := listen(t)
	defer lis.Close()
	nc, err := net.Dial("tcp", lis.Addr().String())
	require.NoError(t, err)
	do(c.system, c.probe, func(ctx actor.Context) {
		c.conn = ctx.Spawn(NewConnProps(ConnParams{NetConn: nc, Client: true}))
	})
	c.server = rawh2.Accept(t, lis, settings...)
	ready := expect[*ConnectionReady](t, c.msgs)
	require.True(t, ready.Conn.Equal(c.conn), "got ConnectionReady from %v; want %v", ready.Conn, c.conn)
	return c
}

// open asks the connection, as the probe, to open a stream.
func (c *clientConn) open(m *OpenStream) {
	do(c.system, c.probe, func(ctx actor.Context) { ctx.Request(c.conn, m) })
}

func requestFields(path string, extra ...hpack.HeaderField) []hpack.HeaderField {
	return append([]hpack.HeaderField{
		{Name: ":method", Value: "POST"}, {Name: ":scheme", Value: "http"}, {Name: ":path", Value: path},
		{Name: "content-type", Value: "application/grpc"}, {Name: "te", Value: "trailers"},
	}, extra...)
}

var (
	responseHeaders = []hpack.HeaderField{{Name: ":status", Value: "200"}, {Name: "content-type", Value: "application/grpc"}}
	okTrailers      = []hpack.HeaderField{{Name: "grpc-status", Value: "0"}}
)

func TestClientConnOpensStreamsInOrder(t *testing.T) {
	c := dialRaw(t)
	paths := []string{"/s/a", "/s/b", "/s/c"}
	for _, path := range paths {
		c.open(&OpenStream{Headers: requestFields(path), Data: []byte{0, 0, 0, 0, 1, 'x'}, EndStream: true})
	}
	for i, path := range paths {
		want := uint32(2*i + 1)
		opened := expect[*StreamOpened](t, c.msgs)
		assert.Equal(t, want, opened.StreamID, "got StreamOpened %d; want %d", opened.StreamID, want)
		h := c.server.ReadHeaders(want)
		got, _ := rawh2.Field(h, ":path")
		assert.Equal(t, path, got, "stream %d: got :path %q; want %q", want, got, path)
		s := c.server.ReadUntilStreamEnd(want)
		assert.True(t, s.Ended, "stream %d: got %v; want DATA with END_STREAM", want, s.Frames)
		assert.Equal(t, []byte{0, 0, 0, 0, 1, 'x'}, s.Data)
	}

	// The server answers stream 3; its owner gets the headers, the data and the trailers.
	c.server.WriteHeaders(3, false, responseHeaders...)
	c.server.WriteData(3, false, []byte{0, 0, 0, 0, 0})
	c.server.WriteHeaders(3, true, okTrailers...)
	h := expect[*HeadersReceived](t, c.msgs)
	assert.Equal(t, uint32(3), h.StreamID)
	assert.False(t, h.EndStream)
	d := expect[*DataReceived](t, c.msgs)
	assert.Equal(t, []byte{0, 0, 0, 0, 0}, d.Data)
	tr := expect[*HeadersReceived](t, c.msgs)
	assert.True(t, tr.EndStream, "got trailers without EndStream; want EndStream")
	assert.Equal(t, okTrailers, tr.Fields)

	// The server resets stream 5 with CANCEL: CANCELLED.
	c.server.WriteRSTStream(5, http2.ErrCodeCancel)
	r := expect[*StreamReset](t, c.msgs)
	assert.Equal(t, uint32(5), r.StreamID)
	assert.Equal(t, wire.Canceled, r.Status.Code(), "got %v; want CANCELLED", r.Status)
}

func TestClientConnGoAway(t *testing.T) {
	c := dialRaw(t)
	for range 3 {
		c.open(&OpenStream{Headers: requestFields("/s/m"), Data: []byte{0, 0, 0, 0, 0}, EndStream: true})
	}
	for i := range 3 {
		opened := expect[*StreamOpened](t, c.msgs)
		require.Equal(t, uint32(2*i+1), opened.StreamID)
		c.server.ReadHeaders(opened.StreamID)
	}

	c.server.WriteGoAway(1, http2.ErrCodeNo, "maintenance")
	// The parent hears first, so that a call retrying at once is not given this connection.
	g := expect[*GoAwayReceived](t, c.msgs)
	assert.Equal(t, uint32(1), g.LastStreamID)
	assert.Equal(t, "maintenance", g.Debug)
	var reset []uint32
	for range 2 {
		r := expect[*StreamReset](t, c.msgs)
		reset = append(reset, r.StreamID)
		assert.Equal(t, wire.Unavailable, r.Status.Code(), "stream %d: got %v; want UNAVAILABLE", r.StreamID, r.Status)
		assert.Contains(t, r.Status.Message(), "GOAWAY")
		assert.True(t, r.Unprocessed, "stream %d above last-stream-id: got Unprocessed false; want true", r.StreamID)
	}
	sort.Slice(reset, func(i, j int) bool { return reset[i] < reset[j] })
	assert.Equal(t, []uint32{3, 5}, reset, "got resets of %v; want the streams above last-stream-id 1", reset)

	// No new stream after GOAWAY.
	c.open(&OpenStream{Headers: requestFields("/s/m"), EndStream: true})
	r := expect[*StreamReset](t, c.msgs)
	assert.Equal(t, uint32(0), r.StreamID)
	assert.Equal(t, wire.Unavailable, r.Status.Code(), "got %v; want UNAVAILABLE", r.Status)

	// Stream 1 runs to completion; then the connection closes.
	c.server.WriteHeaders(1, false, responseHeaders...)
	c.server.WriteHeaders(1, true, okTrailers...)
	assert.False(t, expect[*HeadersReceived](t, c.msgs).EndStream)
	assert.True(t, expect[*HeadersReceived](t, c.msgs).EndStream)
	closed := expect[*ConnectionClosed](t, c.msgs)
	assert.True(t, closed.Conn.Equal(c.conn))
	c.server.ReadUntilClosed()
}

func TestClientConnMaxConcurrentStreams(t *testing.T) {
	c := dialRaw(t, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 1})
	c.open(&OpenStream{Headers: requestFields("/s/first")})
	require.Equal(t, uint32(1), expect[*StreamOpened](t, c.msgs).StreamID)
	c.server.ReadHeaders(1)

	// The second open waits; the data the probe sends after it goes out first.
	do(c.system, c.probe, func(ctx actor.Context) {
		ctx.Request(c.conn, &OpenStream{Headers: requestFields("/s/second"), EndStream: true})
		ctx.Send(c.conn, &WriteStream{StreamID: 1, Data: []byte("x"), EndStream: true})
	})
	f := nextStreamFrame(t, c.server)
	require.Equal(t, http2.FrameData, f.Type, "got %v; want DATA on stream 1 (stream 3 must wait)", f)
	require.Equal(t, uint32(1), f.StreamID, "got %v; want DATA on stream 1", f)
	require.True(t, f.StreamEnded())

	// Stream 1 ends: the waiting open goes out as stream 3.
	c.server.WriteHeaders(1, false, responseHeaders...)
	c.server.WriteHeaders(1, true, okTrailers...)
	expect[*HeadersReceived](t, c.msgs)
	expect[*HeadersReceived](t, c.msgs)
	assert.Equal(t, uint32(3), expect[*StreamOpened](t, c.msgs).StreamID)
	f = nextStreamFrame(t, c.server)
	require.Equal(t, http2.FrameHeaders, f.Type, "got %v; want HEADERS on stream 3", f)
	require.Equal(t, uint32(3), f.StreamID)
	path, _ := f.Header(":path")
	assert.Equal(t, "/s/second", path)
}

// nextStreamFrame returns the next frame on a stream (not on the connection).
func nextStreamFrame(t *testing.T, p *rawh2.Peer) *rawh2.Frame {
	t.Helper()
	for {
		f, err := p.ReadFrame()
		require.NoError(t, err)
		if f.StreamID != 0 {
			return f
		}
	}
}

func TestClientConnControlFrames(t *testing.T) {
	c := dialRaw(t)
	// PING is answered with the same payload.
	c.server.WritePing(false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8})
	f, err := c.server.ReadFrame()
	require.NoError(t, err)
	assert.True(t, f.Type == http2.FramePing && f.IsAck(), "got %v; want PING ACK", f)
	assert.Equal(t, []byte{1, 2, 3, 4, 5, 6, 7, 8}, f.Data)

	// A smaller peer max frame size splits a large header block over CONTINUATION and
	// large data over several DATA frames; the peer sees them whole.
	big := strings.Repeat("b", 40000)
	c.server.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: 16384})
	f, err = c.server.ReadFrame()
	require.NoError(t, err)
	assert.True(t, f.Type == http2.FrameSettings && f.IsAck(), "got %v; want SETTINGS ACK", f)
	data := make([]byte, 50000)
	c.open(&OpenStream{Headers: requestFields("/s/m", hpack.HeaderField{Name: "x-big", Value: big}), Data: data, EndStream: true})
	expect[*StreamOpened](t, c.msgs)
	s := c.server.ReadUntilStreamEnd(1)
	got, _ := rawh2.Field(s.Headers, "x-big")
	assert.Equal(t, len(big), len(got), "got x-big of %d bytes; want %d", len(got), len(big))
	assert.Equal(t, len(data), len(s.Data), "got %d bytes of DATA; want %d", len(s.Data), len(data))

	// PUSH_PROMISE to a client that disabled push: GOAWAY(PROTOCOL_ERROR), then close.
	c.server.WriteRawFrame(http2.FramePushPromise, http2.FlagPushPromiseEndHeaders, 1, []byte{0, 0, 0, 2})
	g := c.server.ReadGoAway()
	assert.Equal(t, http2.ErrCodeProtocol, g.ErrCode, "got %v; want GOAWAY(PROTOCOL_ERROR)", g)
	r := expect[*StreamReset](t, c.msgs) // stream 1 still waits for its response
	assert.Equal(t, uint32(1), r.StreamID)
	assert.Equal(t, wire.Unavailable, r.Status.Code(), "got %v; want UNAVAILABLE", r.Status)
	closed := expect[*ConnectionClosed](t, c.msgs)
	assert.Error(t, closed.Err)
	c.server.ReadUntilClosed()
}

func TestClientConnSendFlowControl(t *testing.T) {
	// The raw server grants 1000 bytes per stream; the client sends no more until the
	// window grows by SETTINGS (RFC 9113 §6.9.2) or WINDOW_UPDATE. The raw peer fails the
	// test on any DATA beyond what it granted.
	c := dialRaw(t, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1000})
	data := make([]byte, 5000)
	for i := range data {
		data[i] = byte(i)
	}
	c.open(&OpenStream{Headers: requestFields("/s/m"), Data: data, EndStream: true})
	expect[*StreamOpened](t, c.msgs)
	c.server.ReadHeaders(1)

	var got []byte
	readData := func(want int) {
		t.Helper()
		for len(got) < want {
			f := nextStreamFrame(t, c.server)
			require.Equal(t, http2.FrameData, f.Type, "got %v; want DATA", f)
			got = append(got, f.Data...)
			require.Equal(t, len(got) == len(data), f.StreamEnded(), "got END_STREAM=%v after %d bytes; want it with the last byte", f.StreamEnded(), len(got))
		}
		require.Equal(t, want, len(got), "got %d bytes; want %d", len(got), want)
	}
	readData(1000)
	c.server.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 3000})
	readData(3000)
	c.server.WriteWindowUpdate(1, 1500)
	readData(4500)
	c.server.WriteWindowUpdate(1, 500)
	readData(5000)
	assert.Equal(t, data, got, "got different bytes; want the data sent")
}

func TestClientConnReceiveFlowControl(t *testing.T) {
	// The client announces its windows (1 MiB per stream by default) and returns credit as
	// it receives: a 3 MiB response, three times the stream window, goes through.
	c := dialRaw(t, http2.Setting{ID: http2.SettingMaxFrameSize, Val: 16384})
	c.open(&OpenStream{Headers: requestFields("/s/m"), Data: []byte{0, 0, 0, 0, 0}, EndStream: true})
	expect[*StreamOpened](t, c.msgs)
	c.server.ReadUntilStreamEnd(1)
	c.server.WriteHeaders(1, false, responseHeaders...)
	body := make([]byte, 3<<20)
	require.True(t, c.server.SendData(1, false, body))
	c.server.WriteHeaders(1, true, okTrailers...)
	expect[*HeadersReceived](t, c.msgs)
	n := 0
	for n < len(body) {
		d := expect[*DataReceived](t, c.msgs)
		n += len(d.Data)
	}
	assert.Equal(t, len(body), n, "got %d bytes; want %d", n, len(body))
	assert.True(t, expect[*HeadersReceived](t, c.msgs).EndStream)
}
