package actorrpc

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/wire"
)

// DialOption configures a Channel (see Dial).
type DialOption interface{ applyDial(*dialOptions) }

// ServerOption configures a Server (see NewServer).
type ServerOption interface{ applyServer(*serverOptions) }

// CallOption configures one call.
type CallOption interface{ applyCall(*callOptions) }

// Option configures both a Channel and a Server.
type Option interface {
	DialOption
	ServerOption
}

type dialOptions struct {
	compressor   string
	system       *actor.ActorSystem
	dialer       func(ctx context.Context, addr string) (net.Conn, error)
	userAgent    string
	authority    string
	maxRecv      int
	maxSend      int
	conn         actors.ConnConfig
	backoff      actors.BackoffConfig
	logger       *slog.Logger
	waitForReady bool
	random       func() float64
	idleTimeout  *time.Duration // nil: defaultIdleTimeout
}

type serverOptions struct {
	compressor string
	system     *actor.ActorSystem
	maxRecv    int
	maxSend    int
	conn       actors.ConnConfig
	logger     *slog.Logger
}

type callOptions struct {
	compressor   string
	header       *Metadata
	trailer      *Metadata
	waitForReady bool
	maxRecv      int
	maxSend      int
}

type optionFunc struct {
	dial   func(*dialOptions)
	server func(*serverOptions)
}

func (o optionFunc) applyDial(d *dialOptions) {
	if o.dial != nil {
		o.dial(d)
	}
}

func (o optionFunc) applyServer(s *serverOptions) {
	if o.server != nil {
		o.server(s)
	}
}

type dialOptionFunc func(*dialOptions)

func (f dialOptionFunc) applyDial(d *dialOptions) { f(d) }

type serverOptionFunc func(*serverOptions)

func (f serverOptionFunc) applyServer(s *serverOptions) { f(s) }

type callOptionFunc func(*callOptions)

func (f callOptionFunc) applyCall(c *callOptions) { f(c) }

// WithActorSystem runs the Channel's or Server's actors in system instead of the
// package's shared system. Tests use it to run everything inside a synctest bubble.
func WithActorSystem(system *actor.ActorSystem) Option {
	return optionFunc{
		dial:   func(d *dialOptions) { d.system = system },
		server: func(s *serverOptions) { s.system = system },
	}
}

// WithCompressor compresses messages with the named compressor ("gzip"). On a Channel it
// compresses every request (UseCompressor overrides it per call); on a Server every
// response to a client that accepts it. Received messages are decompressed whatever the
// setting.
func WithCompressor(name string) Option {
	return optionFunc{
		dial:   func(d *dialOptions) { d.compressor = name },
		server: func(s *serverOptions) { s.compressor = name },
	}
}

// WithLogger sends the runtime's events (panics, connection failures) to logger.
// By default they go to slog.Default() at debug level and above.
func WithLogger(logger *slog.Logger) Option {
	return optionFunc{
		dial:   func(d *dialOptions) { d.logger = logger },
		server: func(s *serverOptions) { s.logger = logger },
	}
}

// WithMaxRecvMsgSize limits the size of a received message (default 4 MiB). A larger
// message ends the call with RESOURCE_EXHAUSTED.
func WithMaxRecvMsgSize(n int) Option {
	return optionFunc{
		dial:   func(d *dialOptions) { d.maxRecv = n },
		server: func(s *serverOptions) { s.maxRecv = n },
	}
}

// WithMaxSendMsgSize limits the size of a sent message (default: no limit below 2 GiB).
func WithMaxSendMsgSize(n int) Option {
	return optionFunc{
		dial:   func(d *dialOptions) { d.maxSend = n },
		server: func(s *serverOptions) { s.maxSend = n },
	}
}

// WithInitialWindowSize sets the HTTP/2 flow-control window announced for each stream.
func WithInitialWindowSize(n int32) Option {
	return optionFunc{
		dial:   func(d *dialOptions) { d.conn.InitialWindowSize = n },
		server: func(s *serverOptions) { s.conn.InitialWindowSize = n },
	}
}

// WithInitialConnWindowSize sets the HTTP/2 flow-control window of the whole connection.
func WithInitialConnWindowSize(n int32) Option {
	return optionFunc{
		dial:   func(d *dialOptions) { d.conn.InitialConnWindowSize = n },
		server: func(s *serverOptions) { s.conn.InitialConnWindowSize = n },
	}
}

// WithMaxFrameSize sets the largest HTTP/2 frame payload the connection accepts, announced
// as SETTINGS_MAX_FRAME_SIZE: 16 KiB (HTTP/2's initial value, and grpc-go's) to 16 MiB;
// default 1 MiB, as Go's net/http2 server announces. A peer may then send a large
// message in frames of up to that size (actorrpc sends up to 1 MiB; grpc-go always sends
// 16 KiB), which costs fewer frames and copies: about 1.5x the throughput of 1 MiB calls
// between two actorrpc peers. A connection reads a frame into a buffer of the frame's
// size, so a smaller value bounds what one frame in progress holds.
func WithMaxFrameSize(n uint32) Option {
	return optionFunc{
		dial:   func(d *dialOptions) { d.conn.MaxFrameSize = n },
		server: func(s *serverOptions) { s.conn.MaxFrameSize = n },
	}
}

// WithContextDialer makes the Channel open connections with dial instead of net.Dialer.
func WithContextDialer(dial func(ctx context.Context, addr string) (net.Conn, error)) DialOption {
	return dialOptionFunc(func(d *dialOptions) { d.dialer = dial })
}

// WithUserAgent puts ua before the runtime's own user-agent string.
func WithUserAgent(ua string) DialOption {
	return dialOptionFunc(func(d *dialOptions) { d.userAgent = ua })
}

// WithAuthority sets the :authority header (default: the target).
func WithAuthority(authority string) DialOption {
	return dialOptionFunc(func(d *dialOptions) { d.authority = authority })
}

// WithBackoff sets the reconnection backoff (default: gRPC's connection-backoff: 1 s base,
// ×1.6, ±20 % jitter, 120 s cap, 20 s minimum connect timeout).
func WithBackoff(base, max time.Duration, multiplier, jitter float64, minConnectTimeout time.Duration) DialOption {
	return dialOptionFunc(func(d *dialOptions) {
		d.backoff = actors.BackoffConfig{BaseDelay: base, MaxDelay: max, Multiplier: multiplier, Jitter: jitter, MinConnectTimeout: minConnectTimeout}
	})
}

// WithBackoffRandom makes the Channel draw its backoff jitter from rnd (uniform in [0, 1))
// instead of math/rand/v2's global source, so that seeded simulations replay exactly.
func WithBackoffRandom(rnd func() float64) DialOption {
	return dialOptionFunc(func(d *dialOptions) { d.random = rnd })
}

// defaultIdleTimeout is grpc-go's default idle timeout.
const defaultIdleTimeout = 30 * time.Minute

// WithIdleTimeout makes the Channel close its connection and go IDLE after d without calls
// (default 30 minutes, as grpc-go; 0 disables it). The next call connects again.
func WithIdleTimeout(d time.Duration) DialOption {
	return dialOptionFunc(func(o *dialOptions) { o.idleTimeout = &d })
}

// WithDefaultWaitForReady makes every call on the Channel wait for it to become READY.
func WithDefaultWaitForReady() DialOption {
	return dialOptionFunc(func(d *dialOptions) { d.waitForReady = true })
}

// UseCompressor compresses this call's requests with the named compressor ("gzip";
// "identity" for none).
func UseCompressor(name string) CallOption {
	return callOptionFunc(func(c *callOptions) { c.compressor = name })
}

// Header stores the response's initial metadata into *md when the call ends.
func Header(md *Metadata) CallOption {
	return callOptionFunc(func(c *callOptions) { c.header = md })
}

// Trailer stores the response's trailing metadata into *md when the call ends.
func Trailer(md *Metadata) CallOption {
	return callOptionFunc(func(c *callOptions) { c.trailer = md })
}

// WaitForReady makes the call wait (until its deadline) while the Channel is CONNECTING or
// in TRANSIENT_FAILURE, instead of failing fast with UNAVAILABLE.
func WaitForReady(wait bool) CallOption {
	return callOptionFunc(func(c *callOptions) { c.waitForReady = wait })
}

// MaxCallRecvMsgSize limits the size of this call's response.
func MaxCallRecvMsgSize(n int) CallOption {
	return callOptionFunc(func(c *callOptions) { c.maxRecv = n })
}

// MaxCallSendMsgSize limits the size of this call's request.
func MaxCallSendMsgSize(n int) CallOption {
	return callOptionFunc(func(c *callOptions) { c.maxSend = n })
}

func defaultMax(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

var _ = wire.DefaultMaxRecvMessageSize
