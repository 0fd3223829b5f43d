package callctx

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/actorrpc/actorrpc/wire"
)

// handlerCtx is a server handler's context. The call actor's deadline timer ends it with
// Expire, so that Err is DeadlineExceeded exactly when the call ended for its deadline —
// not a race between the actor's timer and a second timer inside context.WithDeadline.
type handlerCtx struct {
	context.Context // a cancel context: Done and Value
	deadline        time.Time
	hasDeadline     bool
	expired         atomic.Bool
	cancel          context.CancelFunc
}

// NewHandlerContext returns a handler's context derived from base, carrying the call's
// deadline (when hasDeadline), with expire (the deadline passed) and cancel (the call was
// cancelled or ended) to end it.
func NewHandlerContext(base context.Context, deadline time.Time, hasDeadline bool) (ctx context.Context, expire, cancel func()) {
	inner, cancelInner := context.WithCancel(base)
	h := &handlerCtx{Context: inner, deadline: deadline, hasDeadline: hasDeadline, cancel: cancelInner}
	return h, h.expire, cancelInner
}

func (h *handlerCtx) expire() {
	h.expired.Store(true)
	h.cancel()
}

// Deadline is the call's deadline from grpc-timeout.
func (h *handlerCtx) Deadline() (time.Time, bool) {
	if h.hasDeadline {
		return h.deadline, true
	}
	return h.Context.Deadline()
}

// Err is DeadlineExceeded once the deadline passed, else the cancel context's error.
func (h *handlerCtx) Err() error {
	if h.expired.Load() {
		return context.DeadlineExceeded
	}
	return h.Context.Err()
}

// Handler is a unary handler's context and its ServerCall in one allocation. The call
// actor makes it when the call starts and sets the ServerCall up (InitCall) before the
// handler runs; the handler's context carries it (ServerCallFrom) from then on.
type Handler struct {
	handlerCtx
	call    ServerCall
	callSet bool // written once, before the handler runs
}

// NewHandler returns a handler's context derived from base, carrying the call's deadline
// (when hasDeadline); Expire and Cancel end it as NewHandlerContext's expire and cancel do.
func NewHandler(base context.Context, deadline time.Time, hasDeadline bool) *Handler {
	h := new(Handler)
	h.Init(base, deadline, hasDeadline)
	return h
}

// Init is NewHandler for a Handler inside the caller's own per-call state.
func (h *Handler) Init(base context.Context, deadline time.Time, hasDeadline bool) {
	inner, cancelInner := context.WithCancel(base)
	h.handlerCtx = handlerCtx{Context: inner, deadline: deadline, hasDeadline: hasDeadline, cancel: cancelInner}
}

// HeaderSender takes the headers a handler sends now (ServerCall.SendHeader) to its call
// actor, with the grpc-encoding they announce.
type HeaderSender interface {
	SendHeader(md wire.Metadata, encoding string)
}

// InitCallLazy is InitCall for a request parsed by wire.ParseRequestHeadersLazy: its
// metadata is built the first time the handler asks for it (ServerCall.IncomingMetadata).
// req must not change afterwards.
func (h *Handler) InitCallLazy(req *wire.RequestHeaders, compressor string, sender HeaderSender) *ServerCall {
	sc := h.InitCall(req.Path, nil, req.AcceptEncoding, compressor, sender)
	sc.req = req
	return sc
}

// InitCall sets up the ServerCall the context carries (see NewServerCall); sender takes
// its SendHeader.
func (h *Handler) InitCall(method string, incoming wire.Metadata, accept, compressor string, sender HeaderSender) *ServerCall {
	h.call.Method, h.call.Incoming, h.call.Accept = method, incoming, accept
	h.call.compressor, h.call.sender = compressor, sender
	h.callSet = true
	return &h.call
}

// Expire ends the context with DeadlineExceeded: the deadline passed.
func (h *Handler) Expire() { h.expire() }

// Cancel ends the context: the call was cancelled or ended.
func (h *Handler) Cancel() { h.cancel() }

// Value carries the ServerCall once InitCall set it up, and base's values.
func (h *Handler) Value(key any) any {
	if _, ok := key.(serverCallKey); ok && h.callSet {
		return &h.call
	}
	return h.Context.Value(key)
}
