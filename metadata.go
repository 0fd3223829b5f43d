package actorrpc

import (
	"context"
	"strings"
	"time"

	"github.com/actorrpc/actorrpc/internal/callctx"
	"github.com/actorrpc/actorrpc/wire"
)

// Metadata is gRPC metadata: lowercase keys, each with one or more values. Keys ending in
// "-bin" hold binary values (raw bytes in the string); the runtime base64-encodes them on
// the wire.
type Metadata = wire.Metadata

// Pairs returns Metadata from key, value pairs. Keys are lowercased. It panics on an odd
// number of arguments.
func Pairs(kv ...string) Metadata {
	if len(kv)%2 == 1 {
		panic("actorrpc: Pairs got an odd number of arguments")
	}
	md := make(Metadata, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k := strings.ToLower(kv[i])
		md[k] = append(md[k], kv[i+1])
	}
	return md
}

// NewOutgoingContext returns ctx carrying md as the metadata sent with calls made with it.
func NewOutgoingContext(ctx context.Context, md Metadata) context.Context {
	return callctx.WithOutgoing(ctx, md)
}

// AppendOutgoing returns ctx with the key, value pairs added to its outgoing metadata.
func AppendOutgoing(ctx context.Context, kv ...string) context.Context {
	return callctx.WithOutgoing(ctx, callctx.Join(callctx.Outgoing(ctx), Pairs(kv...)))
}

// Outgoing returns the metadata calls made with ctx will send.
func Outgoing(ctx context.Context) Metadata { return callctx.Outgoing(ctx) }

// Incoming returns the metadata of the call a server handler is serving, or nil.
func Incoming(ctx context.Context) Metadata {
	if sc := callctx.ServerCallFrom(ctx); sc != nil {
		return sc.IncomingMetadata()
	}
	return nil
}

// Method returns the full method name ("/pkg.Service/Method") of the call a server handler
// is serving.
func Method(ctx context.Context) (string, bool) {
	if sc := callctx.ServerCallFrom(ctx); sc != nil {
		return sc.Method, true
	}
	return "", false
}

// SetHeader adds md to the response headers of the call a handler is serving. They are sent
// with the response, or by SendHeader.
func SetHeader(ctx context.Context, md Metadata) error {
	sc := callctx.ServerCallFrom(ctx)
	if sc == nil {
		return Errorf(Internal, "actorrpc: SetHeader called outside a server handler")
	}
	return sc.SetHeader(md)
}

// SendHeader sends the response headers now, with md added.
func SendHeader(ctx context.Context, md Metadata) error {
	sc := callctx.ServerCallFrom(ctx)
	if sc == nil {
		return Errorf(Internal, "actorrpc: SendHeader called outside a server handler")
	}
	return sc.SendHeader(md)
}

// SetTrailer adds md to the trailing metadata sent with the call's status.
func SetTrailer(ctx context.Context, md Metadata) error {
	sc := callctx.ServerCallFrom(ctx)
	if sc == nil {
		return Errorf(Internal, "actorrpc: SetTrailer called outside a server handler")
	}
	sc.SetTrailer(md)
	return nil
}

// SetSendCompressor makes the responses of the call a handler is serving use the named
// compressor ("gzip"; "identity" for none). It fails if the client does not accept it. On a
// stream it may be called between messages: once headers are out, messages switch between
// the announced encoding and none. The headers announce the compressor set when they go out,
// so a handler that starts uncompressed and compresses later sets "gzip", calls SendHeader,
// then sets "identity" for the first messages.
func SetSendCompressor(ctx context.Context, name string) error {
	sc := callctx.ServerCallFrom(ctx)
	if sc == nil {
		return Errorf(Internal, "actorrpc: SetSendCompressor called outside a server handler")
	}
	return sc.SetSendCompressor(name)
}

// ReceivedCompressed reports whether the last request message the handler received was
// compressed.
func ReceivedCompressed(ctx context.Context) bool {
	sc := callctx.ServerCallFrom(ctx)
	return sc != nil && sc.RecvCompressed()
}

// RemainingTime returns how long the call that ctx belongs to has before its deadline;
// ok is false when it has none.
func RemainingTime(ctx context.Context) (time.Duration, bool) {
	d, ok := ctx.Deadline()
	if !ok {
		return 0, false
	}
	return time.Until(d), true
}
