package callctx

import (
	"context"
	"sync/atomic"
	"time"
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
