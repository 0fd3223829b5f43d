package actorrpc_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
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

// Protocol tests of the server: a raw HTTP/2 peer writes frames, good and bad, and expects
// the frames PROTOCOL-HTTP2.md and RFC 9113 name.

const (
	echoPath  = "/rawtest.Echo/Echo"
	blockPath = "/rawtest.Echo/Block"
)

// rawEchoService echoes BytesValues; Block waits for its context to end and reports it.
type rawEchoService struct {
	started  chan struct{} // Block began
	canceled chan error    // Block's context ended, with this error
}

var rawEchoDesc = actorrpc.ServiceDesc{
	ServiceName: "rawtest.Echo",
	Methods: []actorrpc.MethodDesc{
		{
			MethodName: "Echo",
			NewRequest: func() proto.Message { return new(wrapperspb.BytesValue) },
			Handler: func(_ any, _ context.Context, req proto.Message) (proto.Message, error) {
				return wrapperspb.Bytes(req.(*wrapperspb.BytesValue).GetValue()), nil
			},
		},
		{
			MethodName: "Block",
			NewRequest: func() proto.Message { return new(wrapperspb.StringValue) },
			Handler: func(srv any, ctx context.Context, _ proto.Message) (proto.Message, error) {
				s := srv.(*rawEchoService)
				s.started <- struct{}{}
				<-ctx.Done()
				s.canceled <- ctx.Err()
				return nil, ctx.Err()
			},
		},
	},
}

type rawServer struct {
	addr string
	svc  *rawEchoService
}

// startRawServer serves rawEchoDesc on a loopback listener in its own actor system, until the
// test ends.
func startRawServer(t *testing.T, opts ...actorrpc.ServerOption) *rawServer {
	t.Helper()
	opts = append([]actorrpc.ServerOption{
		actorrpc.WithActorSystem(actors.NewSystem()),
		actorrpc.WithLogger(slog.New(slog.DiscardHandler)),
	}, opts...)
	srv := actorrpc.NewServer(opts...)
	svc := &rawEchoService{started: make(chan struct{}, 1), canceled: make(chan error, 1)}
	srv.RegisterService(&rawEchoDesc, svc)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		if err := <-served; err != nil {
			t.Errorf("Serve returned %v; want nil after Stop", err)
		}
	})
	return &rawServer{addr: lis.Addr().String(), svc: svc}
}

// rawRequestHeaders are a valid gRPC request's headers for path, then extra.
func rawRequestHeaders(path string, extra ...hpack.HeaderField) []hpack.HeaderField {
	return append([]hpack.HeaderField{
		{Name: ":method", Value: "POST"},
		{Name: ":scheme", Value: "http"},
		{Name: ":path", Value: path},
		{Name: ":authority", Value: "localhost"},
		{Name: "content-type", Value: "application/grpc"},
		{Name: "te", Value: "trailers"},
	}, extra...)
}

// withField returns fields with name set to value (appended if absent).
func withField(fields []hpack.HeaderField, name, value string) []hpack.HeaderField {
	out := append([]hpack.HeaderField(nil), fields...)
	for i := range out {
		if out[i].Name == name {
			out[i].Value = value
			return out
		}
	}
	return append(out, hpack.HeaderField{Name: name, Value: value})
}

// withoutField returns fields without name.
func withoutField(fields []hpack.HeaderField, name string) []hpack.HeaderField {
	var out []hpack.HeaderField
	for _, f := range fields {
		if f.Name != name {
			out = append(out, f)
		}
	}
	return out
}

// rawMsg is a Length-Prefixed-Message with flag byte flag.
func rawMsg(flag byte, payload []byte) []byte {
	b := []byte{flag, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(len(payload)))
	return append(b, payload...)
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

// requireRawStatus checks the stream ended cleanly with grpc-status want.
func requireRawStatus(t *testing.T, s *rawh2.Stream, want string) {
	t.Helper()
	require.True(t, s.Ended, "got RST_STREAM(%v) and frames %v; want the stream ended with grpc-status %s", s.ResetCode, s.Frames, want)
	got, ok := s.Status()
	require.True(t, ok, "got no grpc-status in %v; want %s", s.Frames, want)
	msg, _ := rawh2.Field(append(s.Headers, s.Trailers...), "grpc-message")
	require.Equal(t, want, got, "got grpc-status %s (%q); want %s", got, msg, want)
}

// rawGoodCall makes one Echo call on a new connection and checks it succeeds.
func rawGoodCall(t *testing.T, addr string) {
	t.Helper()
	p := rawh2.Dial(t, addr)
	defer p.Close()
	want := []byte("still serving")
	p.WriteHeaders(1, false, rawRequestHeaders(echoPath)...)
	p.WriteData(1, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes(want))))
	s := p.ReadUntilStreamEnd(1)
	requireRawStatus(t, s, "0")
	st, _ := rawh2.Field(s.Headers, ":status")
	require.Equal(t, "200", st, "got :status %s; want 200", st)
	require.GreaterOrEqual(t, len(s.Data), 5, "got %d bytes of DATA; want a message", len(s.Data))
	var resp wrapperspb.BytesValue
	require.NoError(t, proto.Unmarshal(s.Data[5:], &resp))
	require.Equal(t, want, resp.GetValue(), "got echo %q; want %q", resp.GetValue(), want)
}

func TestRawServerRejectsBadRequests(t *testing.T) {
	srv := startRawServer(t, actorrpc.WithMaxRecvMsgSize(1024))
	good := rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("hi"))))
	tests := []struct {
		name       string
		headers    []hpack.HeaderField
		data       []byte // nil: the HEADERS end the stream
		wantHTTP   string
		wantStatus string // "" means any grpc-status other than 0
	}{
		{name: "GET", headers: withField(rawRequestHeaders(echoPath), ":method", "GET"), wantHTTP: "405", wantStatus: "13"},
		{name: "PUT with a message", headers: withField(rawRequestHeaders(echoPath), ":method", "PUT"), data: good, wantHTTP: "405", wantStatus: "13"},
		{name: "content-type text/html", headers: withField(rawRequestHeaders(echoPath), "content-type", "text/html"), data: good, wantHTTP: "415", wantStatus: "13"},
		{name: "no content-type", headers: withoutField(rawRequestHeaders(echoPath), "content-type"), data: good, wantHTTP: "415", wantStatus: "13"},
		{name: "unknown method", headers: rawRequestHeaders("/rawtest.Echo/Nope"), data: good, wantHTTP: "200", wantStatus: "12"},
		{name: "unknown service", headers: rawRequestHeaders("/nope.Nope/Echo"), data: good, wantHTTP: "200", wantStatus: "12"},
		{name: "grpc-timeout 1x", headers: rawRequestHeaders(echoPath, hpack.HeaderField{Name: "grpc-timeout", Value: "1x"}), data: good, wantHTTP: "200", wantStatus: "13"},
		{name: "grpc-timeout 123456789S", headers: rawRequestHeaders(echoPath, hpack.HeaderField{Name: "grpc-timeout", Value: "123456789S"}), data: good, wantHTTP: "200", wantStatus: "13"},
		{name: "truncated message", headers: rawRequestHeaders(echoPath), data: append([]byte{0, 0, 0, 0, 10}, 1, 2, 3), wantHTTP: "200", wantStatus: "13"},
		{name: "truncated prefix", headers: rawRequestHeaders(echoPath), data: []byte{0, 0, 0}, wantHTTP: "200", wantStatus: "13"},
		{name: "no message", headers: rawRequestHeaders(echoPath), data: []byte{}, wantHTTP: "200", wantStatus: "13"},
		{name: "message over the limit", headers: rawRequestHeaders(echoPath), data: rawMsg(0, mustMarshal(t, wrapperspb.Bytes(make([]byte, 2048)))), wantHTTP: "200", wantStatus: "8"},
		{name: "compressed flag without grpc-encoding", headers: rawRequestHeaders(echoPath), data: rawMsg(1, mustMarshal(t, wrapperspb.Bytes([]byte("hi")))), wantHTTP: "200"},
		{name: "compressed flag with gzip and garbage", headers: rawRequestHeaders(echoPath, hpack.HeaderField{Name: "grpc-encoding", Value: "gzip"}), data: rawMsg(1, []byte("not gzip")), wantHTTP: "200"},
		{name: "flag byte 2", headers: rawRequestHeaders(echoPath), data: rawMsg(2, mustMarshal(t, wrapperspb.Bytes([]byte("hi")))), wantHTTP: "200", wantStatus: "13"},
		{name: "not a protobuf", headers: rawRequestHeaders(echoPath), data: rawMsg(0, []byte{0xff, 0xff, 0xff}), wantHTTP: "200", wantStatus: "13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawh2.Dial(t, srv.addr)
			p.WriteHeaders(1, tt.data == nil, tt.headers...)
			if tt.data != nil {
				p.WriteData(1, true, tt.data)
			}
			s := p.ReadUntilStreamEnd(1)
			require.True(t, s.Ended, "got RST_STREAM(%v) and %v; want a response that ends the stream", s.ResetCode, s.Frames)
			st, _ := rawh2.Field(s.Headers, ":status")
			assert.Equal(t, tt.wantHTTP, st, "got :status %s; want %s", st, tt.wantHTTP)
			got, ok := s.Status()
			require.True(t, ok, "got no grpc-status in %v; want one", s.Frames)
			if tt.wantStatus == "" {
				assert.NotEqual(t, "0", got, "got grpc-status 0; want an error status")
			} else {
				msg, _ := rawh2.Field(append(s.Headers, s.Trailers...), "grpc-message")
				assert.Equal(t, tt.wantStatus, got, "got grpc-status %s (%q); want %s", got, msg, tt.wantStatus)
			}
			// The connection lives on: a good call on the same one, then on a new one.
			p.WriteHeaders(3, false, rawRequestHeaders(echoPath)...)
			p.WriteData(3, true, good)
			requireRawStatus(t, p.ReadUntilStreamEnd(3), "0")
			rawGoodCall(t, srv.addr)
		})
	}
}

func TestRawServerConnectionErrors(t *testing.T) {
	srv := startRawServer(t)
	tests := []struct {
		name     string
		write    func(p *rawh2.Peer)
		wantCode http2.ErrCode
	}{
		{
			name:     "DATA on a stream never opened",
			write:    func(p *rawh2.Peer) { p.WriteData(5, true, rawMsg(0, nil)) },
			wantCode: http2.ErrCodeProtocol,
		},
		{
			name: "DATA on an idle stream above an open one",
			write: func(p *rawh2.Peer) {
				p.WriteHeaders(1, false, rawRequestHeaders(echoPath)...)
				p.WriteData(3, false, rawMsg(0, nil))
			},
			wantCode: http2.ErrCodeProtocol,
		},
		{
			name:     "even client stream id",
			write:    func(p *rawh2.Peer) { p.WriteHeaders(2, true, rawRequestHeaders(echoPath)...) },
			wantCode: http2.ErrCodeProtocol,
		},
		{
			name: "stream id going down",
			write: func(p *rawh2.Peer) {
				p.WriteHeaders(5, false, rawRequestHeaders(echoPath)...)
				p.WriteHeaders(3, false, rawRequestHeaders(echoPath)...)
			},
			wantCode: http2.ErrCodeProtocol,
		},
		{
			name:     "DATA frame larger than SETTINGS_MAX_FRAME_SIZE",
			write:    func(p *rawh2.Peer) { p.WriteRaw(oversizedFrameHeader(http2.FrameData, 0, 1)) },
			wantCode: http2.ErrCodeFrameSize,
		},
		{
			name: "HEADERS frame larger than SETTINGS_MAX_FRAME_SIZE",
			write: func(p *rawh2.Peer) {
				p.WriteRaw(oversizedFrameHeader(http2.FrameHeaders, http2.FlagHeadersEndHeaders, 1))
			},
			wantCode: http2.ErrCodeFrameSize,
		},
		{
			name:     "DATA on stream 0",
			write:    func(p *rawh2.Peer) { p.WriteRawFrame(http2.FrameData, 0, 0, []byte("x")) },
			wantCode: http2.ErrCodeProtocol,
		},
		{
			name:     "WINDOW_UPDATE overflowing the connection window",
			write:    func(p *rawh2.Peer) { p.WriteWindowUpdate(0, 1<<31-1) },
			wantCode: http2.ErrCodeFlowControl,
		},
		{
			name:     "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1",
			write:    func(p *rawh2.Peer) { p.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 31}) },
			wantCode: http2.ErrCodeFlowControl,
		},
		{
			name: "HPACK garbage",
			write: func(p *rawh2.Peer) {
				_ = p.Framer.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0xff, 0xff, 0xff, 0xff}, EndHeaders: true})
			},
			wantCode: http2.ErrCodeCompression,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawh2.Dial(t, srv.addr)
			tt.write(p)
			g := p.ReadGoAway()
			assert.Equal(t, tt.wantCode, g.ErrCode, "got %v; want GOAWAY(%v)", g, tt.wantCode)
			p.ReadUntilClosed()
			rawGoodCall(t, srv.addr)
		})
	}
}

func TestRawServerClosesOnBadPreface(t *testing.T) {
	srv := startRawServer(t)
	for _, garbage := range []string{
		"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n",
		strings.Repeat("\x00", 64),
	} {
		t.Run(strconv.Quote(garbage), func(t *testing.T) {
			p := rawh2.DialRaw(t, srv.addr)
			p.WriteRaw([]byte(garbage))
			for _, f := range p.ReadUntilClosed() {
				if f.Type == http2.FrameGoAway {
					assert.Equal(t, http2.ErrCodeProtocol, f.ErrCode, "got %v; want GOAWAY(PROTOCOL_ERROR) or none", f)
				}
			}
			rawGoodCall(t, srv.addr)
		})
	}
}

func TestRawServerAcksPingAndSettings(t *testing.T) {
	srv := startRawServer(t)
	p := rawh2.Dial(t, srv.addr)

	data := [8]byte{'a', 'c', 't', 'o', 'r', 'r', 'p', 'c'}
	p.WritePing(false, data)
	f := rawReadUntil(t, p, http2.FramePing)
	assert.True(t, f.IsAck(), "got %v; want PING with ACK", f)
	assert.Equal(t, data[:], f.Data, "got PING ACK payload %x; want %x", f.Data, data)

	// A PING ACK from the client is not answered: the next PING's ACK comes first.
	p.WritePing(true, [8]byte{9})
	p.WritePing(false, [8]byte{1})
	f = rawReadUntil(t, p, http2.FramePing)
	assert.Equal(t, []byte{1, 0, 0, 0, 0, 0, 0, 0}, f.Data, "got %v; want the ACK of the second PING", f)

	p.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: 1 << 20}, http2.Setting{ID: http2.SettingHeaderTableSize, Val: 0})
	f = rawReadUntil(t, p, http2.FrameSettings)
	assert.True(t, f.IsAck(), "got %v; want SETTINGS with ACK", f)
	assert.Empty(t, f.Settings, "got SETTINGS ACK with %v; want no parameters", f.Settings)

	// The connection still serves a call afterwards.
	p.WriteHeaders(1, false, rawRequestHeaders(echoPath)...)
	p.WriteData(1, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("x")))))
	requireRawStatus(t, p.ReadUntilStreamEnd(1), "0")
}

// rawReadUntil reads frames until one of type typ.
func rawReadUntil(t *testing.T, p *rawh2.Peer, typ http2.FrameType) *rawh2.Frame {
	t.Helper()
	for {
		f, err := p.ReadFrame()
		require.NoError(t, err, "reading until %v", typ)
		if f.Type == typ {
			return f
		}
	}
}

func TestRawServerHeadersOverContinuation(t *testing.T) {
	srv := startRawServer(t)
	p := rawh2.Dial(t, srv.addr)
	for i, frag := range []int{1, 7, 64, 1000} {
		id := uint32(2*i + 1)
		t.Run(strconv.Itoa(frag), func(t *testing.T) {
			h := rawRequestHeaders(echoPath,
				hpack.HeaderField{Name: "x-big", Value: strings.Repeat("v", 3000)},
				hpack.HeaderField{Name: "x-other", Value: "o"})
			p.WriteHeadersSplit(id, false, frag, h...)
			p.WriteData(id, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("c")))))
			s := p.ReadUntilStreamEnd(id)
			requireRawStatus(t, s, "0")
		})
	}
}

func TestRawServerClientCancelCancelsHandler(t *testing.T) {
	for _, endStream := range []bool{true, false} {
		t.Run("END_STREAM="+strconv.FormatBool(endStream), func(t *testing.T) {
			srv := startRawServer(t)
			p := rawh2.Dial(t, srv.addr)
			p.WriteHeaders(1, false, rawRequestHeaders(blockPath)...)
			p.WriteData(1, endStream, rawMsg(0, mustMarshal(t, wrapperspb.String("wait"))))
			select {
			case <-srv.svc.started:
			case <-time.After(rawh2.DefaultTimeout):
				t.Fatal("handler did not start; want it running")
			}
			p.WriteRSTStream(1, http2.ErrCodeCancel)
			select {
			case err := <-srv.svc.canceled:
				assert.ErrorIs(t, err, context.Canceled, "got handler ctx error %v; want context.Canceled", err)
			case <-time.After(rawh2.DefaultTimeout):
				t.Fatal("handler's ctx was not cancelled after RST_STREAM(CANCEL)")
			}
			// Nothing more goes out on the reset stream; the connection serves on.
			p.WriteHeaders(3, false, rawRequestHeaders(echoPath)...)
			p.WriteData(3, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("x")))))
			for {
				f, err := p.ReadFrame()
				require.NoError(t, err)
				if f.StreamID == 1 && f.Type != http2.FrameWindowUpdate {
					t.Fatalf("got %v on the reset stream; want nothing", f)
				}
				if f.StreamID == 3 && f.StreamEnded() {
					break
				}
			}
		})
	}
}

func TestRawServerFlowControl4MiB(t *testing.T) {
	// The server accepts 4 MiB plus the protobuf's own bytes.
	srv := startRawServer(t, actorrpc.WithMaxRecvMsgSize(8<<20))
	p := rawh2.Dial(t, srv.addr, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 65535})
	body := bytes.Repeat([]byte("actorrpc"), (4<<20)/8)
	p.WriteHeaders(1, false, rawRequestHeaders(echoPath)...)
	require.True(t, p.SendData(1, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes(body)))), "the server ended the stream before the request was sent")
	// ReadUntilStreamEnd grants WINDOW_UPDATEs only as it reads, and the peer checks each
	// DATA frame against the windows granted so far.
	s := p.ReadUntilStreamEnd(1)
	requireRawStatus(t, s, "0")
	require.Greater(t, len(s.Data), 5)
	var resp wrapperspb.BytesValue
	require.NoError(t, proto.Unmarshal(s.Data[5:], &resp))
	require.True(t, bytes.Equal(body, resp.GetValue()), "got %d echoed bytes; want the %d sent", len(resp.GetValue()), len(body))
	for _, f := range s.Frames {
		if f.Type == http2.FrameData && f.Length > 16384 {
			t.Errorf("got DATA of %d bytes; want at most SETTINGS_MAX_FRAME_SIZE 16384", f.Length)
		}
	}
}

func TestRawServerFlowControlSmallWindows(t *testing.T) {
	// 271,828 bytes: more than any window below, not a multiple of a frame.
	body := make([]byte, 271828)
	for i := range body {
		body[i] = byte(i * 7)
	}
	tests := []struct {
		name string
		opts []actorrpc.ServerOption
	}{
		{name: "default windows"},
		{name: "64 KiB stream and connection windows", opts: []actorrpc.ServerOption{
			actorrpc.WithInitialWindowSize(65535), actorrpc.WithInitialConnWindowSize(65535)}},
		{name: "16 KiB stream window", opts: []actorrpc.ServerOption{actorrpc.WithInitialWindowSize(16384)}},
		{name: "1 KiB stream window", opts: []actorrpc.ServerOption{actorrpc.WithInitialWindowSize(1024)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startRawServer(t, tt.opts...)
			p := rawh2.Dial(t, srv.addr, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 65535})
			// Two streams at once share the connection window.
			p.WriteHeaders(1, false, rawRequestHeaders(echoPath)...)
			p.WriteHeaders(3, false, rawRequestHeaders(echoPath)...)
			msg := rawMsg(0, mustMarshal(t, wrapperspb.Bytes(body)))
			half := len(msg) / 2
			require.True(t, p.SendData(1, false, msg[:half]))
			require.True(t, p.SendData(3, false, msg[:half]))
			require.True(t, p.SendData(1, true, msg[half:]))
			require.True(t, p.SendData(3, true, msg[half:]))
			for _, id := range []uint32{1, 3} {
				s := p.ReadUntilStreamEnd(id)
				requireRawStatus(t, s, "0")
				var resp wrapperspb.BytesValue
				require.NoError(t, proto.Unmarshal(s.Data[5:], &resp))
				require.True(t, bytes.Equal(body, resp.GetValue()), "stream %d: got %d echoed bytes; want the %d sent", id, len(resp.GetValue()), len(body))
			}
		})
	}
}

func TestRawServerFlowControlOverrun(t *testing.T) {
	// RFC 9113 §6.9.1: a sender MUST NOT send beyond the window; the server resets the
	// stream that did with FLOW_CONTROL_ERROR and serves on.
	srv := startRawServer(t, actorrpc.WithInitialWindowSize(1024))
	p := rawh2.Dial(t, srv.addr)
	p.WriteHeaders(1, false, rawRequestHeaders(echoPath)...)
	p.WriteData(1, false, make([]byte, 2048))
	s := p.ReadUntilStreamEnd(1)
	require.True(t, s.Reset, "got %v; want RST_STREAM(FLOW_CONTROL_ERROR)", s.Frames)
	assert.Equal(t, http2.ErrCodeFlowControl, s.ResetCode, "got RST_STREAM(%v); want FLOW_CONTROL_ERROR", s.ResetCode)
	p.WriteHeaders(3, false, rawRequestHeaders(echoPath)...)
	p.WriteData(3, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("x")))))
	requireRawStatus(t, p.ReadUntilStreamEnd(3), "0")
}

func TestRawServerWithOwnClient(t *testing.T) {
	srv := startRawServer(t)
	sys := actors.NewSystem()
	ch, err := actorrpc.Dial(srv.addr, actorrpc.WithActorSystem(sys), actorrpc.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	defer ch.Close()
	body := bytes.Repeat([]byte{7}, 3<<20)
	var resp wrapperspb.BytesValue
	err = ch.Invoke(context.Background(), echoPath, wrapperspb.Bytes(body), &resp)
	require.NoError(t, err)
	require.True(t, bytes.Equal(body, resp.GetValue()), "got %d echoed bytes; want %d", len(resp.GetValue()), len(body))

	err = ch.Invoke(context.Background(), "/rawtest.Echo/Nope", wrapperspb.Bytes(nil), &resp)
	require.Equal(t, actorrpc.Unimplemented, actorrpc.CodeOf(err), "got %v; want UNIMPLEMENTED", err)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ch.Invoke(ctx, blockPath, wrapperspb.String("w"), new(wrapperspb.StringValue)) }()
	<-srv.svc.started
	cancel()
	err = <-done
	require.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err), "got %v; want CANCELLED", err)
	select {
	case err := <-srv.svc.canceled:
		require.True(t, errors.Is(err, context.Canceled), "got handler ctx error %v; want context.Canceled", err)
	case <-time.After(rawh2.DefaultTimeout):
		t.Fatal("handler's ctx was not cancelled after the client cancelled")
	}
}

func TestRawServerStreamErrors(t *testing.T) {
	// Each case starts Block on stream 1 (request complete, END_STREAM unless noted), then
	// writes something a stream in that state must not get. RFC 9113 §5.4.2: a stream
	// error ends that stream with RST_STREAM; the handler's ctx is cancelled; the
	// connection serves on.
	tests := []struct {
		name      string
		endStream bool
		write     func(p *rawh2.Peer)
		wantCode  http2.ErrCode
	}{
		{
			name:      "DATA after END_STREAM",
			endStream: true,
			write:     func(p *rawh2.Peer) { p.WriteData(1, false, []byte{0}) },
			wantCode:  http2.ErrCodeStreamClosed,
		},
		{
			name:      "HEADERS after END_STREAM",
			endStream: true,
			write:     func(p *rawh2.Peer) { p.WriteHeaders(1, true, hpack.HeaderField{Name: "x-late", Value: "1"}) },
			wantCode:  http2.ErrCodeStreamClosed,
		},
		{
			name:     "trailers without END_STREAM",
			write:    func(p *rawh2.Peer) { p.WriteHeaders(1, false, hpack.HeaderField{Name: "x-trailer", Value: "1"}) },
			wantCode: http2.ErrCodeProtocol,
		},
		{
			name:      "WINDOW_UPDATE of 0",
			endStream: true,
			write:     func(p *rawh2.Peer) { p.WriteRawFrame(http2.FrameWindowUpdate, 0, 1, []byte{0, 0, 0, 0}) },
			wantCode:  http2.ErrCodeProtocol,
		},
		{
			name:     "DATA beyond the stream window",
			write:    func(p *rawh2.Peer) { p.WriteData(1, false, make([]byte, 2048)) },
			wantCode: http2.ErrCodeFlowControl,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startRawServer(t, actorrpc.WithInitialWindowSize(1024))
			p := rawh2.Dial(t, srv.addr)
			p.WriteHeaders(1, false, rawRequestHeaders(blockPath)...)
			p.WriteData(1, tt.endStream, rawMsg(0, mustMarshal(t, wrapperspb.String("wait"))))
			select {
			case <-srv.svc.started:
			case <-time.After(rawh2.DefaultTimeout):
				t.Fatal("handler did not start; want it running")
			}
			tt.write(p)
			s := p.ReadUntilStreamEnd(1)
			require.True(t, s.Reset, "got %v; want RST_STREAM(%v)", s.Frames, tt.wantCode)
			assert.Equal(t, tt.wantCode, s.ResetCode, "got RST_STREAM(%v); want RST_STREAM(%v)", s.ResetCode, tt.wantCode)
			select {
			case err := <-srv.svc.canceled:
				assert.ErrorIs(t, err, context.Canceled, "got handler ctx error %v; want context.Canceled", err)
			case <-time.After(rawh2.DefaultTimeout):
				t.Fatalf("handler's ctx was not cancelled after RST_STREAM(%v)", tt.wantCode)
			}
			p.WriteHeaders(3, false, rawRequestHeaders(echoPath)...)
			p.WriteData(3, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("x")))))
			requireRawStatus(t, p.ReadUntilStreamEnd(3), "0")
		})
	}
}

func TestRawServerIdleStreamFrames(t *testing.T) {
	// RFC 9113 §5.1, idle: "Receiving any frame other than HEADERS or PRIORITY on a stream
	// in this state MUST be treated as a connection error of type PROTOCOL_ERROR."
	srv := startRawServer(t)
	tests := []struct {
		name  string
		write func(p *rawh2.Peer)
	}{
		{name: "RST_STREAM", write: func(p *rawh2.Peer) { p.WriteRSTStream(7, http2.ErrCodeCancel) }},
		{name: "WINDOW_UPDATE", write: func(p *rawh2.Peer) { p.WriteWindowUpdate(7, 100) }},
		{name: "RST_STREAM on an even stream", write: func(p *rawh2.Peer) { p.WriteRSTStream(2, http2.ErrCodeCancel) }},
		{name: "connection WINDOW_UPDATE of 0", write: func(p *rawh2.Peer) { p.WriteRawFrame(http2.FrameWindowUpdate, 0, 0, []byte{0, 0, 0, 0}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawh2.Dial(t, srv.addr)
			p.WriteHeaders(1, false, rawRequestHeaders(echoPath)...)
			tt.write(p)
			g := p.ReadGoAway()
			assert.Equal(t, http2.ErrCodeProtocol, g.ErrCode, "got %v; want GOAWAY(PROTOCOL_ERROR)", g)
			p.ReadUntilClosed()
			rawGoodCall(t, srv.addr)
		})
	}
}

// oversizedFrameHeader is the header of a frame one byte longer than the server's
// SETTINGS_MAX_FRAME_SIZE (its payload need not follow: the header alone is the error).
func oversizedFrameHeader(typ http2.FrameType, flags http2.Flags, streamID uint32) []byte {
	n := actors.DefaultMaxFrameSize + 1
	return []byte{byte(n >> 16), byte(n >> 8), byte(n), byte(typ), byte(flags),
		byte(streamID >> 24), byte(streamID >> 16), byte(streamID >> 8), byte(streamID)}
}

// TestMaxFrameSize: the server announces its SETTINGS_MAX_FRAME_SIZE (1 MiB unless
// configured), and messages around and above a frame's size arrive whole whichever side
// accepts larger frames.
func TestMaxFrameSize(t *testing.T) {
	tests := []struct {
		name       string
		server     []actorrpc.ServerOption
		dial       []actorrpc.DialOption
		wantServer uint32
	}{
		{"defaults", nil, nil, actors.DefaultMaxFrameSize},
		{"server 16 KiB", []actorrpc.ServerOption{actorrpc.WithMaxFrameSize(16 << 10)}, nil, 16 << 10},
		{"client 16 KiB", nil, []actorrpc.DialOption{actorrpc.WithMaxFrameSize(16 << 10)}, actors.DefaultMaxFrameSize},
		{"server 16 MiB - 1", []actorrpc.ServerOption{actorrpc.WithMaxFrameSize(1<<24 - 1)}, nil, 1<<24 - 1},
		{"out of range: default", []actorrpc.ServerOption{actorrpc.WithMaxFrameSize(1 << 24)}, nil, actors.DefaultMaxFrameSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, echo, tt.server, tt.dial...)
			p := rawh2.Dial(t, e.addr)
			assert.Equal(t, tt.wantServer, p.PeerMaxFrameSize())
			p.Close()
			for _, n := range []int{16<<10 - 20, 16<<10 + 1, 1<<20 + 7, 3 << 20} {
				name := strings.Repeat("z", n)
				resp, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: name})
				require.NoError(t, err, "message of %d bytes", n)
				assert.Equal(t, "Hello, "+name+"!", resp.GetReply(), "message of %d bytes", n)
			}
		})
	}
}
