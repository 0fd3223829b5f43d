package actorrpc_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/rawh2"
)

// Conformance tests of the server's stream rules (RFC 9113 §5.1, §5.3, §6.9, §8.1): what
// h2spec (.ci/h2spec.sh) checks, as raw HTTP/2 frames against a real server.

// getRequest is the request h2spec sends: a GET without a gRPC content-type.
func getRequest() []hpack.HeaderField {
	return []hpack.HeaderField{
		{Name: ":method", Value: "GET"},
		{Name: ":scheme", Value: "http"},
		{Name: ":path", Value: echoPath},
		{Name: ":authority", Value: "localhost"},
	}
}

// requireReset reads up to RST_STREAM on stream id, past any answer on it, and checks its
// code is want.
func requireReset(t *testing.T, p *rawh2.Peer, id uint32, want http2.ErrCode) {
	t.Helper()
	var seen []*rawh2.Frame
	for {
		f, err := p.ReadFrame()
		require.NoError(t, err, "got %v on stream %d; want RST_STREAM(%v)", seen, id, want)
		if f.StreamID != id {
			continue
		}
		seen = append(seen, f)
		if f.Type == http2.FrameRSTStream {
			assert.Equal(t, want, f.ErrCode, "got %v on stream %d; want RST_STREAM(%v)", seen, id, want)
			return
		}
	}
}

// requireGoodEcho makes an Echo call on stream id of p and checks it succeeds, and that no
// frame arrives meanwhile on stream quiet (0: none to watch).
func requireGoodEcho(t *testing.T, p *rawh2.Peer, id, quiet uint32) {
	t.Helper()
	p.WriteHeaders(id, false, rawRequestHeaders(echoPath)...)
	p.WriteData(id, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("still serving")))))
	for {
		f, err := p.ReadFrame()
		require.NoError(t, err, "reading the answer on stream %d", id)
		if quiet != 0 && f.StreamID == quiet {
			t.Fatalf("got %v on stream %d; want nothing more on it", f, quiet)
		}
		if f.StreamID != id {
			continue
		}
		if f.Type == http2.FrameRSTStream {
			t.Fatalf("got %v on stream %d; want a successful call", f, id)
		}
		if f.Type == http2.FrameHeaders && f.StreamEnded() {
			got, _ := f.Header("grpc-status")
			require.Equal(t, "0", got, "got grpc-status %q on stream %d; want 0", got, id)
			return
		}
	}
}

func TestRawServerResetsMalformedRequests(t *testing.T) {
	// RFC 9113 §8.1.1: "Malformed requests or responses that are detected MUST be treated
	// as a stream error (Section 5.4.2) of type PROTOCOL_ERROR." The connection lives on.
	srv := startRawServer(t)
	tests := []struct {
		name      string
		headers   []hpack.HeaderField
		endStream bool
	}{
		{name: "connection", headers: rawRequestHeaders(echoPath, hpack.HeaderField{Name: "connection", Value: "keep-alive"})},
		{name: "keep-alive", headers: rawRequestHeaders(echoPath, hpack.HeaderField{Name: "keep-alive", Value: "timeout=5"})},
		{name: "proxy-connection", headers: rawRequestHeaders(echoPath, hpack.HeaderField{Name: "proxy-connection", Value: "keep-alive"})},
		{name: "transfer-encoding", headers: rawRequestHeaders(echoPath, hpack.HeaderField{Name: "transfer-encoding", Value: "chunked"})},
		{name: "upgrade", headers: rawRequestHeaders(echoPath, hpack.HeaderField{Name: "upgrade", Value: "h2c"})},
		{name: "te gzip", headers: withField(rawRequestHeaders(echoPath), "te", "gzip")},
		{name: "te trailers, deflate", headers: withField(rawRequestHeaders(echoPath), "te", "trailers, deflate"), endStream: true},
		{name: "empty :path", headers: withField(rawRequestHeaders(echoPath), ":path", "")},
		{name: "no :method", headers: withoutField(rawRequestHeaders(echoPath), ":method")},
		{name: "no :scheme", headers: withoutField(rawRequestHeaders(echoPath), ":scheme"), endStream: true},
		{name: "no :path", headers: withoutField(rawRequestHeaders(echoPath), ":path")},
		{name: "GET without :path", headers: withoutField(getRequest(), ":path"), endStream: true},
		{name: "content-length not a number", headers: rawRequestHeaders(echoPath, hpack.HeaderField{Name: "content-length", Value: "ten"})},
		{name: "content-length without DATA", headers: rawRequestHeaders(echoPath, hpack.HeaderField{Name: "content-length", Value: "10"}), endStream: true},
		{name: "content-lengths disagree", headers: rawRequestHeaders(echoPath,
			hpack.HeaderField{Name: "content-length", Value: "1"}, hpack.HeaderField{Name: "content-length", Value: "2"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawh2.Dial(t, srv.addr)
			p.WriteHeaders(1, tt.endStream, tt.headers...)
			requireReset(t, p, 1, http2.ErrCodeProtocol)
			if !tt.endStream {
				// RFC 9113 §5.1: "An endpoint MUST ignore frames that it receives on
				// closed streams after it has sent a RST_STREAM frame."
				p.WriteData(1, true, rawMsg(0, nil))
			}
			requireGoodEcho(t, p, 3, 1)
		})
	}
}

func TestRawServerAnswersNonGRPCRequests(t *testing.T) {
	// PROTOCOL-HTTP2.md: "If Content-Type does not begin with "application/grpc", gRPC
	// servers SHOULD respond with HTTP status of 415"; a method other than POST gets 405
	// with Allow (RFC 9110 §15.5.6). Both carry the reason as a text body.
	srv := startRawServer(t)
	tests := []struct {
		name      string
		headers   []hpack.HeaderField
		wantHTTP  string
		wantAllow string
		wantBody  string
	}{
		{name: "GET", headers: getRequest(), wantHTTP: "405", wantAllow: "POST", wantBody: `invalid gRPC request method "GET" (want POST)` + "\n"},
		{name: "POST without content-type", headers: withField(getRequest(), ":method", "POST"), wantHTTP: "415",
			wantBody: `invalid gRPC request content-type ""` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawh2.Dial(t, srv.addr)
			p.WriteHeaders(1, true, tt.headers...)
			s := p.ReadUntilStreamEnd(1)
			require.True(t, s.Ended, "got %v; want a response that ends the stream", s.Frames)
			st, _ := rawh2.Field(s.Headers, ":status")
			assert.Equal(t, tt.wantHTTP, st, "got :status %s; want %s", st, tt.wantHTTP)
			ct, _ := rawh2.Field(s.Headers, "content-type")
			assert.Equal(t, "text/plain; charset=utf-8", ct, "got content-type %q; want text/plain", ct)
			allow, _ := rawh2.Field(s.Headers, "allow")
			assert.Equal(t, tt.wantAllow, allow, "got allow %q; want %q", allow, tt.wantAllow)
			assert.Equal(t, tt.wantBody, string(s.Data), "got body %q; want %q", s.Data, tt.wantBody)
			requireGoodEcho(t, p, 3, 0)
		})
	}
}

func TestRawServerDataOnClosedStreams(t *testing.T) {
	// RFC 9113 §5.1, half-closed (remote): "If an endpoint receives additional frames,
	// other than WINDOW_UPDATE, PRIORITY, or RST_STREAM, for a stream that is in this
	// state, it MUST respond with a stream error (Section 5.4.2) of type STREAM_CLOSED."
	// §6.1: "If a DATA frame is received whose stream is not in the "open" or
	// "half-closed (local)" state, the recipient MUST respond with a stream error
	// (Section 5.4.2) of type STREAM_CLOSED."
	tests := []struct {
		name     string
		settings []http2.Setting
		write    func(t *testing.T, p *rawh2.Peer)
	}{
		{
			name: "half-closed (remote), answered without an actor",
			// A zero window holds the 405 body back: the stream stays half-closed (remote).
			settings: []http2.Setting{{ID: http2.SettingInitialWindowSize, Val: 0}},
			write: func(t *testing.T, p *rawh2.Peer) {
				p.WriteHeaders(1, true, getRequest()...)
				p.ReadHeaders(1)
				p.WriteData(1, true, []byte("test"))
			},
		},
		{
			name: "closed by both END_STREAMs",
			write: func(t *testing.T, p *rawh2.Peer) {
				p.WriteHeaders(1, false, rawRequestHeaders(echoPath)...)
				p.WriteData(1, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("x")))))
				requireRawStatus(t, p.ReadUntilStreamEnd(1), "0")
				p.WriteData(1, true, []byte("test"))
			},
		},
		{
			name: "closed by the client's RST_STREAM",
			write: func(t *testing.T, p *rawh2.Peer) {
				p.WriteHeaders(1, false, getRequest()...)
				p.WriteRSTStream(1, http2.ErrCodeCancel)
				p.WriteData(1, true, []byte("test"))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startRawServer(t)
			p := rawh2.Dial(t, srv.addr, tt.settings...)
			tt.write(t, p)
			requireReset(t, p, 1, http2.ErrCodeStreamClosed)
			p.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 65535})
			requireGoodEcho(t, p, 3, 0)
		})
	}
}

func TestRawServerSelfDependency(t *testing.T) {
	// RFC 7540 §5.3.1 (priorities, deprecated by RFC 9113 §5.3.2 but still parsed): "A
	// stream cannot depend on itself. An endpoint MUST treat this as a stream error
	// (Section 5.4.2) of type PROTOCOL_ERROR."
	self := http2.PriorityParam{StreamDep: 1, Weight: 255}
	tests := []struct {
		name  string
		write func(t *testing.T, p *rawh2.Peer)
	}{
		{
			name: "HEADERS",
			write: func(t *testing.T, p *rawh2.Peer) {
				require.NoError(t, p.Framer.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, EndHeaders: true,
					BlockFragment: p.EncodeHeaders(rawRequestHeaders(echoPath)), Priority: self}))
			},
		},
		{
			name: "PRIORITY on an idle stream",
			write: func(t *testing.T, p *rawh2.Peer) {
				require.NoError(t, p.Framer.WritePriority(1, self))
			},
		},
		{
			name: "PRIORITY on an open stream",
			write: func(t *testing.T, p *rawh2.Peer) {
				p.WriteHeaders(1, false, rawRequestHeaders(echoPath)...)
				require.NoError(t, p.Framer.WritePriority(1, http2.PriorityParam{StreamDep: 0, Weight: 16}), "a PRIORITY that does not depend on itself is ignored")
				require.NoError(t, p.Framer.WritePriority(1, self))
			},
		},
	}
	srv := startRawServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawh2.Dial(t, srv.addr)
			tt.write(t, p)
			requireReset(t, p, 1, http2.ErrCodeProtocol)
			requireGoodEcho(t, p, 3, 0)
		})
	}
}

func TestRawServerStreamWindowOverflow(t *testing.T) {
	// RFC 9113 §6.9.1: "If a sender receives a WINDOW_UPDATE that causes a flow-control
	// window to exceed this maximum, it MUST terminate either the stream or the
	// connection, as appropriate. For streams, the sender sends a RST_STREAM with an
	// error code of FLOW_CONTROL_ERROR".
	tests := []struct {
		name    string
		headers []hpack.HeaderField
	}{
		{name: "gRPC call", headers: rawRequestHeaders(blockPath)},
		{name: "answered without an actor", headers: getRequest()},
	}
	srv := startRawServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawh2.Dial(t, srv.addr)
			p.WriteHeaders(1, false, tt.headers...)
			p.WriteWindowUpdate(1, 1<<31-1)
			p.WriteWindowUpdate(1, 1<<31-1)
			requireReset(t, p, 1, http2.ErrCodeFlowControl)
			requireGoodEcho(t, p, 3, 0)
		})
	}
}

func TestRawServerContentLength(t *testing.T) {
	// RFC 9113 §8.1.1: "A request or response is also malformed if the value of a
	// content-length header field does not equal the sum of the DATA frame payload
	// lengths that form the content"; malformed is a stream error of type PROTOCOL_ERROR.
	msg := rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("counted"))))
	contentLength := func(n int) hpack.HeaderField {
		return hpack.HeaderField{Name: "content-length", Value: strconv.Itoa(n)}
	}
	tests := []struct {
		name    string
		headers []hpack.HeaderField
		data    [][]byte // the last one ends the stream
	}{
		{name: "more DATA than declared", headers: rawRequestHeaders(echoPath, contentLength(1)), data: [][]byte{msg}},
		{name: "less DATA than declared", headers: rawRequestHeaders(echoPath, contentLength(len(msg)+1)), data: [][]byte{msg}},
		// The first DATA frame holds part of the message, so no answer can come before the
		// second one, which overruns the declared length.
		{name: "over two DATA frames", headers: rawRequestHeaders(echoPath, contentLength(len(msg)+1)),
			data: [][]byte{msg[:3], append(append([]byte(nil), msg[3:]...), 0, 0)}},
		{name: "answered without an actor", headers: append(withField(getRequest(), ":method", "POST"), contentLength(1)),
			data: [][]byte{[]byte("test"), []byte("test")}},
	}
	srv := startRawServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawh2.Dial(t, srv.addr)
			p.WriteHeaders(1, false, tt.headers...)
			for i, d := range tt.data {
				p.WriteData(1, i == len(tt.data)-1, d)
			}
			requireReset(t, p, 1, http2.ErrCodeProtocol)
			requireGoodEcho(t, p, 3, 0)
		})
	}

	t.Run("matching content-length", func(t *testing.T) {
		p := rawh2.Dial(t, srv.addr)
		p.WriteHeaders(1, false, rawRequestHeaders(echoPath, contentLength(len(msg)))...)
		p.WriteData(1, false, msg[:3])
		p.WriteData(1, true, msg[3:])
		requireRawStatus(t, p.ReadUntilStreamEnd(1), "0")
	})
}

func TestRawServerRefusedAnswersCountTowardTheLimit(t *testing.T) {
	// RFC 9113 §5.1.2: "Streams that are in the "open" state or in either of the
	// "half-closed" states count toward the maximum number of streams that an endpoint is
	// permitted to open." A 405 whose body waits for flow-control credit is half-closed
	// (remote); past the limit, the next stream is refused.
	srv := startRawServer(t, actorrpc.MaxConcurrentStreams(2))
	p := rawh2.Dial(t, srv.addr, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0})
	p.WriteHeaders(1, true, getRequest()...)
	p.WriteHeaders(3, true, getRequest()...)
	p.WriteHeaders(5, true, getRequest()...)
	requireReset(t, p, 5, http2.ErrCodeRefusedStream)
	// Credit lets the two answers end; then there is room again.
	p.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 65535})
	for _, id := range []uint32{1, 3} {
		s := p.ReadUntilStreamEnd(id)
		require.True(t, s.Ended, "got %v on stream %d; want the 405 answer to end", s.Frames, id)
	}
	requireGoodEcho(t, p, 7, 0)
}
