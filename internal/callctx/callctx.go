// Package callctx carries per-call values in a context.Context: outgoing metadata on the
// client, and on the server the incoming metadata and the handler's header and trailer.
package callctx

import (
	"context"
	"errors"
	"sync"

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
	// Incoming is the request's metadata. Read only.
	Incoming wire.Metadata

	mu         sync.Mutex
	header     wire.Metadata
	trailer    wire.Metadata
	headerSent bool
	sendHeader func(wire.Metadata)
}

// NewServerCall returns the per-call state; sendHeader posts headers to the call actor.
func NewServerCall(method string, incoming wire.Metadata, sendHeader func(wire.Metadata)) *ServerCall {
	return &ServerCall{Method: method, Incoming: incoming, sendHeader: sendHeader}
}

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
	sc.headerSent = true
	sc.sendHeader(Join(sc.header, md))
	sc.header = nil
	return nil
}

// SetTrailer adds md to the trailers to send with the status.
func (sc *ServerCall) SetTrailer(md wire.Metadata) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.trailer = Join(sc.trailer, md)
}

// Finish returns the headers still to send (nil if already sent) and the trailers.
func (sc *ServerCall) Finish() (header wire.Metadata, headerSent bool, trailer wire.Metadata) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sent := sc.headerSent
	sc.headerSent = true
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
