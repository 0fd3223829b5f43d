package actors

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// mailbox is the runtime actors' mailbox. It keeps the semantics of protoactor-go's
// default mailbox (actor/mailbox.go) without its allocations: system messages run before
// user messages, SuspendMailbox stops user messages until ResumeMailbox, a run yields the
// processor every Throughput messages, a panic in the invoker becomes EscalateFailure, and
// the mailbox middleware hooks are called at the same points. Where protoactor-go
// allocates a node per system message, a queue pair per mailbox and a closure per
// activation, this one keeps both queues in ring buffers that start inside the struct and
// grow by doubling, and hands itself to the warm dispatcher (or binds its run function
// once for another dispatcher).
//
// Scheduling is protoactor-go's handshake, so that no message is ever stranded: a poster
// pushes, then moves status idle→running and schedules a run if it won that race; a run
// that finds both queues empty sets status idle, then looks at the counts again and, if
// something arrived meanwhile, takes status back and runs again.
type mailbox struct {
	// mu guards sys and user, the two queues. It is the queue's own lock (infrastructure,
	// like protoactor-go's ring buffer lock), held only for a push or a pop, never while a
	// message runs; it guards no actor state.
	mu   sync.Mutex
	sys  ring
	user ring

	// sysCount and userCount are the queues' lengths, written under mu and read without
	// it by the post-run check and UserMessageCount.
	sysCount  atomic.Int32
	userCount atomic.Int32
	status    atomic.Int32 // mailboxIdle or mailboxRunning
	// suspended is written only by the run (on SuspendMailbox and ResumeMailbox).
	suspended atomic.Bool

	invoker     actor.MessageInvoker
	dispatcher  actor.Dispatcher
	middlewares []actor.MailboxMiddleware
	// warm (or lender) is dispatcher when it is the warm one (or a Lender), which takes
	// the mailbox itself as its task; for any other dispatcher, process is
	// processMessages, bound once so that scheduling allocates nothing.
	warm    *warmDispatcher
	lender  *Lender
	process func()
	// runEnded, if set (by tests only), is called between a run and going idle: the
	// window in which a poster loses the race for status.
	runEnded func()
	// afterStop, once set (by the actor, as it stops, from a run), takes the user messages
	// the stopped actor would drop unseen, so that it can answer them (conn_direct.go).
	afterStop func(msg any)

	sysInline  [mailboxInlineSys]any
	userInline [mailboxInlineUser]any
}

const (
	mailboxIdle int32 = iota
	mailboxRunning
)

// Ring sizes inside the mailbox (powers of two): an actor gets a few system messages
// (Started, Stop, Watch) and usually has few user messages queued.
const (
	mailboxInlineSys  = 2
	mailboxInlineUser = 4
)

var _ actor.Mailbox = (*mailbox)(nil)

// runtimeMailbox is the mailbox producer of the runtime's actors, built once.
var runtimeMailbox = unboundedMailbox()

// unboundedMailbox returns a producer of unbounded mailboxes that call middlewares, like
// protoactor-go's actor.Unbounded(middlewares...).
func unboundedMailbox(middlewares ...actor.MailboxMiddleware) actor.MailboxProducer {
	return func() actor.Mailbox { return newMailbox(middlewares) }
}

func newMailbox(middlewares []actor.MailboxMiddleware) *mailbox {
	m := &mailbox{middlewares: middlewares}
	m.sys.init(m.sysInline[:])
	m.user.init(m.userInline[:])
	return m
}

// PostUserMessage queues message. A MessageBatch (bare or in an envelope) also posts
// each message it holds first, as protoactor-go does.
func (m *mailbox) PostUserMessage(message any) {
	if batch, ok := message.(actor.MessageBatch); ok {
		for _, msg := range batch.GetMessages() {
			m.PostUserMessage(msg)
		}
	}
	if env, ok := message.(*actor.MessageEnvelope); ok {
		if batch, ok := env.Message.(actor.MessageBatch); ok {
			for _, msg := range batch.GetMessages() {
				m.PostUserMessage(msg)
			}
		}
	}
	m.post(&m.user, &m.userCount, message)
}

// PostSystemMessage queues a system message; it runs before any queued user message.
func (m *mailbox) PostSystemMessage(message any) {
	m.post(&m.sys, &m.sysCount, message)
}

// post queues message in q, counted by count, then schedules a run unless one is on.
func (m *mailbox) post(q *ring, count *atomic.Int32, message any) {
	for _, mw := range m.middlewares {
		mw.MessagePosted(message)
	}
	m.mu.Lock()
	q.push(message)
	count.Add(1)
	m.mu.Unlock()
	m.schedule()
}

// RegisterHandlers sets who runs the messages and where.
func (m *mailbox) RegisterHandlers(invoker actor.MessageInvoker, dispatcher actor.Dispatcher) {
	m.invoker = invoker
	m.dispatcher = dispatcher
	switch d := dispatcher.(type) {
	case *warmDispatcher:
		m.warm = d
	case *Lender:
		m.lender = d
	default:
		m.process = m.processMessages
	}
}

// Start tells the middlewares the mailbox started.
func (m *mailbox) Start() {
	for _, mw := range m.middlewares {
		mw.MailboxStarted()
	}
}

// UserMessageCount is the number of user messages queued.
func (m *mailbox) UserMessageCount() int { return int(m.userCount.Load()) }

func (m *mailbox) schedule() {
	if !m.status.CompareAndSwap(mailboxIdle, mailboxRunning) {
		return
	}
	switch {
	case m.warm != nil:
		m.warm.schedule(m)
	case m.lender != nil:
		m.lender.schedule(m)
	default:
		m.dispatcher.Schedule(m.process)
	}
}

// runTask is the mailbox as a task of the warm dispatcher.
func (m *mailbox) runTask() { m.processMessages() }

// processMessages is one activation: run until both queues are empty (or the mailbox is
// suspended), then hand the mailbox back, unless a message arrived in between.
func (m *mailbox) processMessages() {
	for {
		m.run()
		if m.runEnded != nil {
			m.runEnded()
		}
		m.status.Store(mailboxIdle)
		sys, user := m.sysCount.Load(), m.userCount.Load()
		// A message posted after run saw empty queues, whose poster lost the race for
		// status, is seen here.
		if sys > 0 || (!m.suspended.Load() && user > 0) {
			if m.status.CompareAndSwap(mailboxIdle, mailboxRunning) {
				continue
			}
		}
		if user == 0 && !m.suspended.Load() {
			for _, mw := range m.middlewares {
				mw.MailboxEmpty()
			}
		}
		return
	}
}

// run invokes queued messages, system ones first, until there is nothing it may run.
// A panic ends the run and is escalated with the message that caused it; the invoker then
// suspends the mailbox (protoactor-go's actorContext.EscalateFailure does).
func (m *mailbox) run() {
	var msg any
	defer func() {
		if r := recover(); r != nil {
			m.invoker.EscalateFailure(r, msg)
		}
	}()

	i, t := 0, m.dispatcher.Throughput()
	for {
		if i > t {
			i = 0
			runtime.Gosched()
		}
		i++

		// Nothing to run: return without the lock. A message whose count is not yet
		// visible here is seen by processMessages' check, or its poster schedules a run.
		if m.sysCount.Load() == 0 && (m.suspended.Load() || m.userCount.Load() == 0) {
			return
		}
		m.mu.Lock()
		if sm, ok := m.sys.pop(); ok {
			m.sysCount.Add(-1)
			m.mu.Unlock()
			msg = sm
			switch msg.(type) {
			case *actor.SuspendMailbox:
				m.suspended.Store(true)
			case *actor.ResumeMailbox:
				m.suspended.Store(false)
			default:
				m.invoker.InvokeSystemMessage(msg)
			}
			for _, mw := range m.middlewares {
				mw.MessageReceived(msg)
			}
			continue
		}
		if m.suspended.Load() {
			m.mu.Unlock()
			return
		}
		um, ok := m.user.pop()
		if ok {
			m.userCount.Add(-1)
		}
		m.mu.Unlock()
		if !ok {
			return
		}
		msg = um
		if m.afterStop != nil {
			m.afterStop(msg)
			continue
		}
		m.invoker.InvokeUserMessage(msg)
		for _, mw := range m.middlewares {
			mw.MessageReceived(msg)
		}
	}
}

// ring is a FIFO of messages in a circular buffer whose length is a power of two. It
// starts in a buffer inside the mailbox, doubles when full, and goes back to that buffer
// when it empties after growing large, so a burst does not pin memory for the actor's
// life. Not safe for concurrent use: the mailbox's mu guards it.
type ring struct {
	buf    []any
	head   int // index of the oldest message
	n      int // messages queued
	inline []any
}

// ringKeep is the largest buffer a ring keeps once it is empty again.
const ringKeep = 256

func (r *ring) init(inline []any) {
	r.inline = inline
	r.buf = inline
}

func (r *ring) push(m any) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = m
	r.n++
}

func (r *ring) pop() (any, bool) {
	if r.n == 0 {
		return nil, false
	}
	m := r.buf[r.head]
	r.buf[r.head] = nil // the queue does not keep a message alive
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	if r.n == 0 {
		r.head = 0
		if len(r.buf) > ringKeep {
			r.buf = r.inline
		}
	}
	return m, true
}

func (r *ring) grow() {
	next := make([]any, 2*len(r.buf))
	k := copy(next, r.buf[r.head:])
	copy(next[k:], r.buf[:r.head])
	clear(r.buf) // the old buffer may be the inline one, which is reused later
	r.buf, r.head = next, 0
}
