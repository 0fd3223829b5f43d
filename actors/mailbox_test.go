package actors

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// manualDispatcher keeps what the mailbox schedules until the test runs it, on the test's
// goroutine.
type manualDispatcher struct {
	pending    []func()
	throughput int
}

func (d *manualDispatcher) Schedule(fn func()) { d.pending = append(d.pending, fn) }
func (d *manualDispatcher) Throughput() int    { return d.throughput }

// drain runs scheduled activations until none is left.
func (d *manualDispatcher) drain() {
	for len(d.pending) > 0 {
		fn := d.pending[0]
		d.pending = d.pending[1:]
		fn()
	}
}

type escalation struct{ reason, msg any }

// recorder is an invoker that records what it runs. "boom" panics; "suspend" makes it
// post SuspendMailbox to its own mailbox; "post:X" makes it post X. Like protoactor-go's
// actorContext, it suspends the mailbox when it escalates.
type recorder struct {
	mb        actor.Mailbox
	got       []any
	escalated []escalation
}

func (r *recorder) InvokeSystemMessage(m any) { r.got = append(r.got, m) }

func (r *recorder) InvokeUserMessage(m any) {
	switch m {
	case "boom":
		panic("handler failed")
	case "suspend":
		r.mb.PostSystemMessage(&actor.SuspendMailbox{})
	}
	if s, ok := m.(string); ok && len(s) > 5 && s[:5] == "post:" {
		r.mb.PostUserMessage(s[5:])
	}
	r.got = append(r.got, m)
}

func (r *recorder) EscalateFailure(reason, msg any) {
	r.escalated = append(r.escalated, escalation{reason, msg})
	r.mb.PostSystemMessage(&actor.SuspendMailbox{})
}

type batch []any

func (b batch) GetMessages() []any { return b }

// post is one message a test posts, to the system queue if sys.
type post struct {
	sys bool
	msg any
}

func user(msgs ...any) []post {
	ps := make([]post, len(msgs))
	for i, m := range msgs {
		ps[i] = post{msg: m}
	}
	return ps
}

var (
	suspend = post{sys: true, msg: &actor.SuspendMailbox{}}
	resume  = post{sys: true, msg: &actor.ResumeMailbox{}}
)

// phase posts messages, runs the mailbox, and then expects everything run so far.
type phase struct {
	posts []post
	want  []any
}

func TestMailboxSemantics(t *testing.T) {
	b := batch{"b1", "b2"}
	tests := []struct {
		name          string
		throughput    int
		phases        []phase
		wantEscalated []escalation
	}{
		{name: "user messages in order", phases: []phase{
			{posts: user(1, 2, 3, 4, 5), want: []any{1, 2, 3, 4, 5}},
		}},
		{name: "system messages before user messages", phases: []phase{
			{posts: []post{{msg: 1}, {msg: 2}, {sys: true, msg: "s1"}, {msg: 3}, {sys: true, msg: "s2"}},
				want: []any{"s1", "s2", 1, 2, 3}},
		}},
		{name: "suspended holds user messages until resumed", phases: []phase{
			{posts: []post{suspend, {msg: 1}, {sys: true, msg: "s1"}, {msg: 2}}, want: []any{"s1"}},
			{posts: []post{resume}, want: []any{"s1", 1, 2}},
		}},
		{name: "suspend posted by a message stops the run", phases: []phase{
			{posts: user(1, "suspend", 2), want: []any{1, "suspend"}},
			{posts: []post{{msg: 3}}, want: []any{1, "suspend"}},
			{posts: []post{resume}, want: []any{1, "suspend", 2, 3}},
		}},
		{name: "panic escalates with its message and suspends", phases: []phase{
			{posts: user(1, "boom", 2), want: []any{1}},
			{posts: []post{resume}, want: []any{1, 2}},
		}, wantEscalated: []escalation{{"handler failed", "boom"}}},
		{name: "messages posted during a run", phases: []phase{
			{posts: user("post:x", 1), want: []any{"post:x", 1, "x"}},
		}},
		{name: "batch posts its messages and itself", phases: []phase{
			{posts: user(b, &actor.MessageEnvelope{Message: batch{"e1"}}),
				want: []any{"b1", "b2", b, "e1", &actor.MessageEnvelope{Message: batch{"e1"}}}},
		}},
		{name: "throughput 1 yields and still runs everything", throughput: 1, phases: []phase{
			{posts: user(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), want: []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		}},
		{name: "queues grow past the inline buffers and keep order", phases: []phase{
			{posts: append(user(seq(0, 600)...), post{sys: true, msg: "s"}), want: append([]any{"s"}, seq(0, 600)...)},
			{posts: user(seq(600, 620)...), want: append(append([]any{"s"}, seq(0, 600)...), seq(600, 620)...)},
		}},
	}
	// protoactor-go's default mailbox runs the same table: the semantics to keep.
	for _, mk := range mailboxKinds {
		for _, tt := range tests {
			t.Run(mk.name+"/"+tt.name, func(t *testing.T) {
				d := &manualDispatcher{throughput: cmpOr(tt.throughput, mailboxThroughput)}
				mb := mk.produce()()
				inv := &recorder{mb: mb}
				mb.RegisterHandlers(inv, d)
				mb.Start()
				for i, ph := range tt.phases {
					for _, p := range ph.posts {
						if p.sys {
							mb.PostSystemMessage(p.msg)
						} else {
							mb.PostUserMessage(p.msg)
						}
					}
					d.drain()
					require.Equal(t, ph.want, inv.got, "phase %d: got %v; want %v", i, inv.got, ph.want)
				}
				assert.Equal(t, tt.wantEscalated, inv.escalated)
				if ours, ok := mb.(*mailbox); ok {
					assert.Equal(t, mailboxIdle, ours.status.Load(), "got a mailbox still running after its runs; want idle")
				}
			})
		}
	}
}

// mailboxKinds are the runtime mailbox and protoactor-go's default one, for tests and
// benchmarks that compare them.
var mailboxKinds = []struct {
	name    string
	produce func(mw ...actor.MailboxMiddleware) actor.MailboxProducer
}{
	{"runtime", unboundedMailbox},
	{"protoactor", actor.Unbounded},
}

func seq(from, to int) []any {
	s := make([]any, 0, to-from)
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// hooks records the mailbox middleware calls.
type hooks struct {
	started, posted, received, empty int
	queuedAtReceive                  []bool // mailboxCounter.onlyCurrentQueued at each user message
	counter                          *mailboxCounter
}

func (h *hooks) MailboxStarted()         { h.started++ }
func (h *hooks) MessagePosted(any)       { h.posted++ }
func (h *hooks) MessageReceived(any)     { h.received++ }
func (h *hooks) MailboxEmpty()           { h.empty++ }
func (h *hooks) InvokeSystemMessage(any) {}
func (h *hooks) InvokeUserMessage(any) {
	h.queuedAtReceive = append(h.queuedAtReceive, h.counter.onlyCurrentQueued())
}
func (h *hooks) EscalateFailure(any, any) {}

// The hooks fire where protoactor-go's default mailbox fires them, so mailboxCounter
// (the connection actor's "is anything else queued?") reads the same on both.
func TestMailboxMiddleware(t *testing.T) {
	for _, tt := range mailboxKinds {
		t.Run(tt.name, func(t *testing.T) {
			counter := &mailboxCounter{}
			h := &hooks{counter: counter}
			mb := tt.produce(counter, h)()
			d := &manualDispatcher{throughput: mailboxThroughput}
			mb.RegisterHandlers(h, d)
			mb.Start()
			mb.PostSystemMessage(&actor.Started{})
			for i := range 3 {
				mb.PostUserMessage(i)
			}
			assert.Equal(t, 3, mb.UserMessageCount())
			d.drain()
			assert.Equal(t, 1, h.started, "MailboxStarted")
			assert.Equal(t, 4, h.posted, "MessagePosted")
			assert.Equal(t, 4, h.received, "MessageReceived")
			assert.Equal(t, 1, h.empty, "MailboxEmpty")
			assert.Equal(t, []bool{false, false, true}, h.queuedAtReceive,
				"got onlyCurrentQueued %v at the three user messages; want true only at the last", h.queuedAtReceive)
			assert.Equal(t, 0, mb.UserMessageCount())
		})
	}
}

// tally is an invoker fed by several posters at once. The mailbox runs one message at a
// time, so its fields need no lock: the race detector checks that.
type tally struct {
	last  map[int]int // poster → last sequence number seen
	n     int
	total int
	bad   []string
	done  chan struct{}
}

type seqMsg struct{ poster, seq int }

func (c *tally) InvokeSystemMessage(m any) { c.InvokeUserMessage(m) }
func (c *tally) InvokeUserMessage(m any) {
	s := m.(seqMsg)
	if s.seq != c.last[s.poster]+1 {
		c.bad = append(c.bad, fmt.Sprintf("poster %d: got %d after %d", s.poster, s.seq, c.last[s.poster]))
	}
	c.last[s.poster] = s.seq
	c.n++
	if c.n == c.total {
		close(c.done)
	}
}
func (c *tally) EscalateFailure(reason, _ any) { panic(reason) }

func TestMailboxConcurrentPosters(t *testing.T) {
	const posters, each = 8, 2000
	for _, tt := range []struct {
		name       string
		dispatcher func() actor.Dispatcher
	}{
		{"goroutine per activation", func() actor.Dispatcher { return actor.NewDefaultDispatcher(mailboxThroughput) }},
		{"warm dispatcher", func() actor.Dispatcher {
			return newWarmDispatcher()
		}},
		{"throughput 1", func() actor.Dispatcher { return actor.NewDefaultDispatcher(1) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mb := newMailbox(nil)
			c := &tally{last: map[int]int{}, total: posters * each, done: make(chan struct{})}
			mb.RegisterHandlers(c, tt.dispatcher())
			mb.Start()
			var wg sync.WaitGroup
			for p := range posters {
				wg.Go(func() {
					for i := 1; i <= each; i++ {
						// Poster 0 posts system messages: each queue keeps its own order.
						if p == 0 {
							mb.PostSystemMessage(seqMsg{p, i})
						} else {
							mb.PostUserMessage(seqMsg{p, i})
						}
					}
				})
			}
			wg.Wait()
			select {
			case <-c.done:
			case <-time.After(waitFor): // a stranded message: fail rather than hang
			}
			require.Equal(t, posters*each, c.n, "got %d messages run; want every one posted", c.n)
			assert.Empty(t, c.bad, "got messages of one poster out of order")
			goleak.VerifyNone(t)
		})
	}
}

// Through a real actor system: a panicking actor is restarted by its supervisor and runs
// the messages queued behind the one that failed.
func TestMailboxInActorSystem(t *testing.T) {
	system := NewSystem()
	probePID, msgs := spawnProbe(t, system)
	var child *actor.PID
	do(system, probePID, func(ctx actor.Context) {
		child = ctx.Spawn(RuntimeProps(system, func() actor.Actor {
			return actor.ReceiveFunc(func(c actor.Context) {
				switch m := c.Message().(type) {
				case *actor.Restarting:
					c.Send(probePID, "restarting")
				case string:
					if m == "boom" {
						panic("child failed")
					}
					c.Send(probePID, m)
				}
			})
		}))
	})
	for _, m := range []string{"a", "boom", "b", "c"} {
		system.Root.Send(child, m)
	}
	for _, want := range []string{"a", "restarting", "b", "c"} {
		assert.Equal(t, want, expect[string](t, msgs))
	}
	do(system, probePID, func(ctx actor.Context) { ctx.Stop(child) })
}

// RuntimeProps gives the runtime mailbox and warm dispatcher, unless opts choose another
// mailbox (the connection actor's Unbounded(counter)); props cost one or two allocations.
func TestRuntimeProps(t *testing.T) {
	system := NewSystem()
	producer := func() actor.Actor { return actor.ReceiveFunc(func(actor.Context) {}) }
	withSystem := func(*actor.ActorSystem) actor.Actor { return actor.ReceiveFunc(func(actor.Context) {}) }
	assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { RuntimeProps(system, producer) }), 2.0,
		"allocations of RuntimeProps: want the Props and the producer's wrapper at most")
	assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { RuntimePropsWithSystem(system, withSystem) }), 1.0,
		"allocations of RuntimePropsWithSystem: want the Props at most")

	counter := &mailboxCounter{}
	got := make(chan bool, 1)
	pid := system.Root.Spawn(RuntimeProps(system, func() actor.Actor {
		return actor.ReceiveFunc(func(ctx actor.Context) {
			if _, ok := ctx.Message().(string); ok {
				got <- counter.onlyCurrentQueued()
			}
		})
	}, actor.WithMailbox(actor.Unbounded(counter))))
	system.Root.Send(pid, "only")
	assert.True(t, <-got, "got onlyCurrentQueued false for the one message; want the opts' mailbox with the counter")
	assert.Equal(t, int64(2), counter.posted.Load(), "got %d messages counted; want Started and the one sent", counter.posted.Load())
	require.NoError(t, system.Root.StopFuture(pid).Wait())
}

// echo hands each message it runs back to the test.
type echo struct{ got chan any }

func (e echo) InvokeSystemMessage(m any)     { e.got <- m }
func (e echo) InvokeUserMessage(m any)       { e.got <- m }
func (e echo) EscalateFailure(reason, _ any) { panic(reason) }

// The test posts each message the moment the previous one has run, so posts land while
// the run is ending (between its last look at the queues and its going idle): the
// scheduling handshake must still run every one of them.
func TestMailboxNoStrandedMessage(t *testing.T) {
	const rounds = 5000
	for _, tt := range []struct {
		name       string
		dispatcher func() actor.Dispatcher
	}{
		{"goroutine per activation", func() actor.Dispatcher { return actor.NewDefaultDispatcher(mailboxThroughput) }},
		{"warm dispatcher", func() actor.Dispatcher { return newWarmDispatcher() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mb := newMailbox(nil)
			e := echo{got: make(chan any)}
			mb.RegisterHandlers(e, tt.dispatcher())
			for i := range rounds {
				if i%2 == 0 {
					mb.PostUserMessage(i)
				} else {
					mb.PostSystemMessage(i)
				}
				select {
				case got := <-e.got:
					require.Equal(t, i, got)
				case <-time.After(waitFor):
					t.Fatalf("message %d never ran: stranded in an idle mailbox", i)
				}
			}
			goleak.VerifyNone(t)
		})
	}
}

// A message posted after a run's last look at the queues but before it goes idle loses
// the race for status, so no run is scheduled for it: the run's own check must take it.
func TestMailboxPostAsRunEnds(t *testing.T) {
	d := &manualDispatcher{throughput: mailboxThroughput}
	mb := newMailbox(nil)
	inv := &recorder{mb: mb}
	mb.RegisterHandlers(inv, d)
	late := []post{{msg: "late user"}, {sys: true, msg: "late system"}}
	mb.runEnded = func() {
		if len(late) == 0 {
			return
		}
		p := late[0]
		late = late[1:]
		if p.sys {
			mb.PostSystemMessage(p.msg)
		} else {
			mb.PostUserMessage(p.msg)
		}
		assert.Empty(t, d.pending, "got a run scheduled by a post while running; want the post to lose the race")
	}
	mb.PostUserMessage("first")
	d.drain()
	assert.Equal(t, []any{"first", "late user", "late system"}, inv.got)
	assert.Equal(t, mailboxIdle, mb.status.Load())
}
