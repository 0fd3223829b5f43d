package actors

import (
	"time"

	"golang.org/x/net/http2"
)

const (
	// initialWindow is HTTP/2's initial flow-control window (RFC 9113 §6.9.2).
	initialWindow = 65535
	// initialHeaderTableSize is HPACK's initial dynamic table size (RFC 9113 §6.5.2).
	initialHeaderTableSize = 4096
	// maxWindow is the largest flow-control window (RFC 9113 §6.9.1).
	maxWindow = 1<<31 - 1
)

// Frame sizes. A large message in DATA frames of 16 KiB (HTTP/2's initial
// SETTINGS_MAX_FRAME_SIZE, and grpc-go's size whatever its peer allows) costs a frame
// header, a frame message and a copy through each side's 32 KiB socket buffer per 16 KiB.
// In frames of up to 1 MiB the payload bypasses both buffers (bufio reads and writes a
// span larger than its buffer directly), and a 1 MiB unary call between two actorrpc
// peers went 1.4-1.6x faster. A connection sends a stream's queued data in one go either
// way (conn.drain), so larger frames delay other streams no more than before.
const (
	// DefaultMaxFrameSize is the SETTINGS_MAX_FRAME_SIZE a connection announces unless
	// configured otherwise: 1 MiB, as Go's net/http2 server announces.
	DefaultMaxFrameSize = 1 << 20
	// maxSendFrameSize caps the DATA frames we send below what the peer accepts: the
	// receiver reads a frame into a buffer of its size.
	maxSendFrameSize = 1 << 20
)

// ConnConfig holds the HTTP/2 settings a connection announces and enforces.
type ConnConfig struct {
	// InitialWindowSize is the receive window announced for each stream.
	InitialWindowSize int32
	// InitialConnWindowSize is the receive window of the whole connection.
	InitialConnWindowSize int32
	// MaxFrameSize is the largest frame payload we accept (16 KiB to 16 MiB; default
	// DefaultMaxFrameSize).
	MaxFrameSize uint32
	// MaxHeaderListSize is the largest decoded header list we accept (announced as
	// SETTINGS_MAX_HEADER_LIST_SIZE; default 16 KiB, see conn_limits.go).
	MaxHeaderListSize uint32
	// MaxConcurrentStreams is the number of streams a client may have open on a server
	// connection (announced as SETTINGS_MAX_CONCURRENT_STREAMS; server role only).
	MaxConcurrentStreams uint32
	// MaxQueuedControlFrames caps the PING and SETTINGS frames from the peer that wait
	// for our answer; beyond it the connection ends with GOAWAY(ENHANCE_YOUR_CALM).
	MaxQueuedControlFrames int
	// WriteTimeout is how long a write to the socket may make no progress before the
	// connection closes: the peer stopped reading (conn_backpressure.go). Zero means
	// DefaultWriteTimeout; negative, no limit.
	WriteTimeout time.Duration
	// Keepalive configures pings and connection lifetimes (conn_keepalive.go).
	Keepalive KeepaliveConfig
}

func (c ConnConfig) withDefaults() ConnConfig {
	if c.InitialWindowSize <= 0 {
		c.InitialWindowSize = 1 << 20
	}
	if c.InitialConnWindowSize <= 0 {
		c.InitialConnWindowSize = 16 << 20
	}
	if c.InitialConnWindowSize < initialWindow {
		c.InitialConnWindowSize = initialWindow
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.MaxFrameSize < 16384 || c.MaxFrameSize > 1<<24-1 {
		c.MaxFrameSize = DefaultMaxFrameSize
	}
	return c.limitsWithDefaults()
}

// peerSettings are the settings the peer announced.
type peerSettings struct {
	maxFrameSize         uint32
	initialWindowSize    int64
	maxConcurrentStreams uint32
	headerTableSize      uint32
	maxHeaderListSize    uint32 // unlimited until announced (RFC 9113 §6.5.2)
}

func defaultPeerSettings() peerSettings {
	return peerSettings{
		maxFrameSize:         16384,
		initialWindowSize:    initialWindow,
		maxConcurrentStreams: ^uint32(0),
		headerTableSize:      initialHeaderTableSize,
		maxHeaderListSize:    ^uint32(0),
	}
}

// applySettings applies a SETTINGS frame from the peer. It returns the change of the
// initial stream window (to apply to every open stream) and any connection error.
func (p *peerSettings) apply(settings []http2.Setting) (windowDelta int64, err error) {
	for _, s := range settings {
		if err := s.Valid(); err != nil {
			return windowDelta, err
		}
		switch s.ID {
		case http2.SettingMaxFrameSize:
			p.maxFrameSize = s.Val
		case http2.SettingInitialWindowSize:
			windowDelta += int64(s.Val) - p.initialWindowSize
			p.initialWindowSize = int64(s.Val)
		case http2.SettingMaxConcurrentStreams:
			p.maxConcurrentStreams = s.Val
		case http2.SettingHeaderTableSize:
			p.headerTableSize = s.Val
		case http2.SettingMaxHeaderListSize:
			p.maxHeaderListSize = s.Val
		}
	}
	return windowDelta, nil
}
