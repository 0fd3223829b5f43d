package callctx

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actorrpc/actorrpc/wire"
)

// handlerCtx is a server handler's context. The call actor ends it: Expire when the
// deadline passed (so that Err is DeadlineExceeded exactly when the call ended for its
// deadline, not a race between the actor's timer and a second timer inside
// context.WithDeadline), Cancel when the call was cancelled or ended. It also ends with its
// base context (the server's, which Stop and GracefulStop cancel).
//
// It registers with its base only when something waits for it (Done, or a context derived
// from it through AfterFunc). context.WithCancel(base) per call would register every call
// in the base's set of children, one map shared by all the server's calls, and take it out
// again when the call ends: an allocation and two locks of the server-wide base per call,
// for a context most unary handlers never wait on. Err asks the base directly instead.
type handlerCtx struct {
	base        context.Context
	deadline    time.Time
	hasDeadline bool
	// doneSet says done is set, for good: Done then reads it without mu (a stream's
	// handler asks on every receive). Stored after done, under mu.
	doneSet atomic.Bool

	// mu guards the fields below: the context's own bookkeeping, as in context's cancelCtx.
	mu         sync.Mutex
	err        error         // why it ended; nil while live
	done       chan struct{} // made by the first Done (or closedChan); closed when it ends
	afterFuncs []*afterFunc  // to run once it ends (AfterFunc)
	stopBase   func() bool   // undoes the registration with base, once made
}

// afterFunc is one function registered with handlerCtx.AfterFunc.
type afterFunc struct{ f func() }

// closedChan is the Done of a context that ended before anyone asked.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// NewHandlerContext returns a handler's context derived from base, carrying the call's
// deadline (when hasDeadline), with expire (the deadline passed) and cancel (the call was
// cancelled or ended) to end it.
func NewHandlerContext(base context.Context, deadline time.Time, hasDeadline bool) (ctx context.Context, expire, cancel func()) {
	h := &handlerCtx{base: base, deadline: deadline, hasDeadline: hasDeadline}
	return h, h.expire, h.cancel
}

func (h *handlerCtx) expire() { h.end(context.DeadlineExceeded) }

func (h *handlerCtx) cancel() { h.end(context.Canceled) }

// end ends the context with err, unless it has ended already.
func (h *handlerCtx) end(err error) {
	h.mu.Lock()
	if h.err != nil {
		h.mu.Unlock()
		return
	}
	h.err = err
	done, fns, stop := h.done, h.afterFuncs, h.stopBase
	if done == nil {
		h.done = closedChan
		h.doneSet.Store(true)
	}
	h.afterFuncs, h.stopBase = nil, nil
	h.mu.Unlock()
	if done != nil {
		close(done)
	}
	if stop != nil {
		stop()
	}
	for _, a := range fns {
		a.f() // the context package's: cancels a derived context, never blocks
	}
}

// watchBase registers with base so that the context ends with it; h.mu is held.
func (h *handlerCtx) watchBase() {
	if h.stopBase != nil || h.base.Done() == nil {
		return
	}
	h.stopBase = context.AfterFunc(h.base, h.baseEnded)
}

// baseEnded ends the context with its base's error.
func (h *handlerCtx) baseEnded() {
	if err := h.base.Err(); err != nil {
		h.end(err)
	}
}

// Deadline is the call's deadline from grpc-timeout, or else base's.
func (h *handlerCtx) Deadline() (time.Time, bool) {
	if h.hasDeadline {
		return h.deadline, true
	}
	return h.base.Deadline()
}

// Done is closed once the context ended.
func (h *handlerCtx) Done() <-chan struct{} {
	if h.doneSet.Load() {
		return h.done // set for good: no lock (a stream's handler asks on every receive)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done == nil {
		h.done = make(chan struct{})
		h.doneSet.Store(true)
		h.watchBase()
	}
	return h.done
}

// Err is why the context ended: DeadlineExceeded once the deadline passed, Canceled once
// the call was cancelled or ended, base's error once base ended; nil before.
func (h *handlerCtx) Err() error {
	h.mu.Lock()
	err := h.err
	h.mu.Unlock()
	if err != nil {
		return err
	}
	if err := h.base.Err(); err != nil {
		h.end(err) // Done is closed before Err reports it
		return h.Err()
	}
	return nil
}

// Value is base's value for key.
func (h *handlerCtx) Value(key any) any { return h.base.Value(key) }

// AfterFunc runs f once the context ends, unless stop is called first (stop reports
// whether it kept f from running). The context package calls it (the type is unexported)
// to end a context derived from this one (context.WithCancel, say) with it, as a cancel
// context ends its children: f cancels that context and never blocks, so it runs on the
// goroutine that ends this one, and no goroutine waits on Done. If the context has ended
// already, f runs on a goroutine of its own: the context package calls AfterFunc holding
// the derived context's lock, which f takes. (context.AfterFunc(ctx, g) runs g on a
// goroutine of its own either way.)
func (h *handlerCtx) AfterFunc(f func()) (stop func() bool) {
	a := &afterFunc{f: f}
	h.mu.Lock()
	if h.err != nil {
		h.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	h.afterFuncs = append(h.afterFuncs, a)
	h.watchBase()
	h.mu.Unlock()
	return func() bool { return h.removeAfterFunc(a) }
}

// removeAfterFunc takes a out of the functions to run, if it is still there.
func (h *handlerCtx) removeAfterFunc(a *afterFunc) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, b := range h.afterFuncs {
		if b == a {
			h.afterFuncs = append(h.afterFuncs[:i], h.afterFuncs[i+1:]...)
			return true
		}
	}
	return false
}

// String names the context, as context's own types do.
func (h *handlerCtx) String() string { return "actorrpc.handlerContext" }

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
	h.base, h.deadline, h.hasDeadline = base, deadline, hasDeadline
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
	return h.base.Value(key)
}
