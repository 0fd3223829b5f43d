package actorrpc

import "time"

// MaxConcurrentStreams limits the streams (calls) a client may have open at once on one
// connection to the Server; it is announced as SETTINGS_MAX_CONCURRENT_STREAMS (default
// 1000). A stream beyond it is refused with RST_STREAM(REFUSED_STREAM), which a client
// may retry; actorrpc's own Channel queues calls beyond the server's limit instead. The
// same number bounds the handlers a client can keep alive by resetting its streams (the
// rapid-reset attack, CVE-2023-44487): past 5×n the connection ends with
// GOAWAY(ENHANCE_YOUR_CALM).
func MaxConcurrentStreams(n uint32) ServerOption {
	return serverOptionFunc(func(s *serverOptions) { s.conn.MaxConcurrentStreams = n })
}

// MaxHeaderListSize limits the size of a received header list (metadata), counted as
// HTTP/2 does: name plus value plus 32 bytes per field. It is announced as
// SETTINGS_MAX_HEADER_LIST_SIZE (default 16 KiB). A Server answers a larger request with
// HTTP 431 and RESOURCE_EXHAUSTED; a Channel ends a call whose response headers are larger
// with RESOURCE_EXHAUSTED. A header block that goes on past the limit in CONTINUATION
// frames ends the connection with GOAWAY(PROTOCOL_ERROR).
func MaxHeaderListSize(n uint32) Option {
	return optionFunc{
		dial:   func(d *dialOptions) { d.conn.MaxHeaderListSize = n },
		server: func(s *serverOptions) { s.conn.MaxHeaderListSize = n },
	}
}

// WriteTimeout closes a connection whose writes make no progress for d: the peer stopped
// reading, and the connection would otherwise hold its frames, and the actor writing them,
// forever. The connection's calls end UNAVAILABLE with the cause ("client stopped
// reading: no byte written for 30s"); other connections are not affected. A peer that
// reads slowly but steadily is fine: each write that makes progress starts a new
// deadline. Default 30 s (actors.DefaultWriteTimeout); a negative d disables it.
func WriteTimeout(d time.Duration) Option {
	return optionFunc{
		dial:   func(o *dialOptions) { o.conn.WriteTimeout = d },
		server: func(o *serverOptions) { o.conn.WriteTimeout = d },
	}
}
