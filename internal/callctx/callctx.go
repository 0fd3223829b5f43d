// Package callctx carries per-call values in a context.Context: outgoing metadata on the
// client, and on the server the incoming metadata and the handler's header and trailer.
package callctx

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/actorrpc/actorrpc/wire"
)

type outgoingKey struct{}

type serverCallKey struct{}

// WithOutgoing returns ctx carrying md as the metadata to send with calls.
func WithOutgoing(ctx context.Context, md wire.Metadata) context.Context {
	return context.WithValue(ctx, outgoingKey{}, md)
}

// Outgoing returns the metadata ctx carries for outgoing calls, or nil.
func Outgoing(ctx context.Context) wire.Metadata {
	md, _ := ctx.Value(outgoingKey{}).(wire.Metadata)
	return md
}

// ErrHeaderSent is returned when headers are set after they have been sent.
var ErrHeaderSent = errors.New("actorrpc: response headers already sent")

// ServerCall is what a server handler's context carries about its call. The handler (and
// goroutines it starts) write header and trailer; the call actor reads them only after the
// handler has returned, so mu only orders the handler's own goroutines.
type ServerCall struct {
	// Method is the full method name, "/pkg.Service/Method".
	Method string
	// Incoming is the request's metadata, read only; read it with IncomingMetadata, which
	// builds it on first use for a call set up with InitCallLazy.
	Incoming wire.Metadata
	// req, until IncomingMetadata builds Incoming from it, holds the request whose text
	// metadata is still in its fields (wire.ParseRequestHeadersLazy); guarded by mu.
	req *wire.RequestHeaders

	// Accept is the client's grpc-accept-encoding. Read only.
	Accept string

	mu           sync.Mutex
	header       wire.Metadata
	trailer      wire.Metadata
	headerSent   bool
	sendHeader   func(md wire.Metadata, encoding string) // or:
	sender       HeaderSender
	compressor   string // compress responses with this ("" = identity)
	sentEncoding string // the grpc-encoding the headers announced
	// recvCompressed says the last received message was compressed: set on every receive
	// by the receiving goroutine, read by any, so atomic rather than under mu.
	recvCompressed atomic.Bool
}

// NewServerCall returns the per-call state; sendHeader posts headers (and the grpc-encoding
// they announce) to the call actor. compressor is the server's default for this call.
func NewServerCall(method string, incoming wire.Metadata, accept, compressor string, sendHeader func(wire.Metadata, string)) *ServerCall {
	return &ServerCall{Method: method, Incoming: incoming, Accept: accept, compressor: compressor, sendHeader: sendHeader}
}

// IncomingMetadata returns the request's metadata (read only).
func (sc *ServerCall) IncomingMetadata() wire.Metadata {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.req != nil {
		sc.Incoming, sc.req = sc.req.IncomingMetadata(), nil
	}
	return sc.Incoming
}

// ErrNotAccepted is returned when the client does not accept the compressor asked for.
var ErrNotAccepted = errors.New("actorrpc: the client does not accept this grpc-encoding")

// SetSendCompressor makes the response messages use the named compressor ("" or
// "identity": none). Once headers are out, only switching between the announced encoding
// and identity is possible.
func (sc *ServerCall) SetSendCompressor(name string) error {
	if name == "identity" {
		name = ""
	}
	if name != "" && (wire.CompressorByName(name) == nil || !wire.AcceptsEncoding(sc.Accept, name)) {
		return ErrNotAccepted
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.headerSent && name != "" && name != sc.sentEncoding {
		return ErrHeaderSent
	}
	sc.compressor = name
	return nil
}

// SendCompressor returns the compressor for the next response message: nil for none, or
// the one the headers announced.
func (sc *ServerCall) SendCompressor() wire.Compressor {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.sendCompressor()
}

// sendCompressor is SendCompressor with mu held.
func (sc *ServerCall) sendCompressor() wire.Compressor {
	if sc.compressor == "" || (sc.headerSent && sc.compressor != sc.sentEncoding) {
		return nil
	}
	return wire.CompressorByName(sc.compressor)
}

// StartMessage sends the response headers if they have not gone out (as SendHeader(nil)),
// and returns the compressor for the response message about to be sent: what a stream's
// every send needs, under one lock.
func (sc *ServerCall) StartMessage() wire.Compressor {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if !sc.headerSent {
		sc.sendHeaderLocked(nil)
	}
	return sc.sendCompressor()
}

// HeaderEncoding returns the grpc-encoding to announce when headers go out now.
func (sc *ServerCall) HeaderEncoding() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.headerSent {
		return sc.sentEncoding
	}
	return sc.compressor
}

// SetRecvCompressed records whether the message just received was compressed.
func (sc *ServerCall) SetRecvCompressed(c bool) { sc.recvCompressed.Store(c) }

// RecvCompressed reports whether the last received message was compressed.
func (sc *ServerCall) RecvCompressed() bool { return sc.recvCompressed.Load() }

// WithServerCall returns ctx carrying sc.
func WithServerCall(ctx context.Context, sc *ServerCall) context.Context {
	return context.WithValue(ctx, serverCallKey{}, sc)
}

// ServerCallFrom returns the ServerCall ctx carries, or nil.
func ServerCallFrom(ctx context.Context) *ServerCall {
	sc, _ := ctx.Value(serverCallKey{}).(*ServerCall)
	return sc
}

// SetHeader adds md to the response headers to send.
func (sc *ServerCall) SetHeader(md wire.Metadata) error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.headerSent {
		return ErrHeaderSent
	}
	sc.header = Join(sc.header, md)
	return nil
}

// SendHeader adds md to the response headers and sends them now.
func (sc *ServerCall) SendHeader(md wire.Metadata) error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.headerSent {
		return ErrHeaderSent
	}
	sc.sendHeaderLocked(md)
	return nil
}

// sendHeaderLocked sends the headers, with md added, with mu held; they have not gone out.
func (sc *ServerCall) sendHeaderLocked(md wire.Metadata) {
	sc.headerSent = true
	sc.sentEncoding = sc.compressor
	if sc.sender != nil {
		sc.sender.SendHeader(Join(sc.header, md), sc.sentEncoding)
	} else {
		sc.sendHeader(Join(sc.header, md), sc.sentEncoding)
	}
	sc.header = nil
}

// SetTrailer adds md to the trailers to send with the status.
func (sc *ServerCall) SetTrailer(md wire.Metadata) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.trailer = Join(sc.trailer, md)
}

// Finish returns the headers still to send (nil if already sent), the trailers, and the
// encoding the headers announce (or will announce).
func (sc *ServerCall) Finish() (header wire.Metadata, headerSent bool, trailer wire.Metadata) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sent := sc.headerSent
	if !sent {
		sc.headerSent = true
		sc.sentEncoding = sc.compressor
	}
	return sc.header, sent, sc.trailer
}

// Join returns the union of a and b (b's values appended after a's), copying neither in place.
func Join(a, b wire.Metadata) wire.Metadata {
	if len(b) == 0 {
		return a
	}
	out := make(wire.Metadata, len(a)+len(b))
	for k, v := range a {
		out[k] = append([]string(nil), v...)
	}
	for k, v := range b {
		out[k] = append(out[k], v...)
	}
	return out
}
