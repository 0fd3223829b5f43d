package actors

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// goid returns the id of the calling goroutine, from the first line of its stack
// ("goroutine 42 [running]:"): the tests tell goroutines apart by it.
func goid() uint64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	fields := strings.Fields(string(buf[:n]))
	id, err := strconv.ParseUint(fields[1], 10, 64)
	if err != nil {
		panic("goid: cannot parse " + string(buf[:n]))
	}
	return id
}

// lentEvent is one step of a lent actor or its blocking work, and the goroutine it ran on.
type lentEvent struct {
	name        string
	sender, seq int
	g           uint64
}

// lentLog records the steps of a lent actor and of the work it blocks on (which run on
// other goroutines than the actor's runs, hence the lock).
type lentLog struct {
	mu     sync.Mutex
	events []lentEvent
}

func (lg *lentLog) add(name string, sender, seq int) {
	g := goid()
	lg.mu.Lock()
	lg.events = append(lg.events, lentEvent{name: name, sender: sender, seq: seq, g: g})
	lg.mu.Unlock()
}

func (lg *lentLog) all() []lentEvent {
	lg.mu.Lock()
	defer lg.mu.Unlock()
	return append([]lentEvent(nil), lg.events...)
}

// on returns the goroutine the first step called name ran on.
func (lg *lentLog) on(t *testing.T, name string) uint64 {
	t.Helper()
	for _, e := range lg.all() {
		if e.name == name {
			return e.g
		}
	}
	t.Fatalf("no step %q in %v", name, lg.all())
	return 0
}

func (lg *lentLog) has(name string) bool {
	for _, e := range lg.all() {
		if e.name == name {
			return true
		}
	}
	return false
}

// seqs returns, per sender, the sequence numbers of the lentSeq messages run, in order.
func (lg *lentLog) seqs() map[int][]int {
	out := map[int][]int{}
	for _, e := range lg.all() {
		if e.name == "seq" {
			out[e.sender] = append(out[e.sender], e.seq)
		}
	}
	return out
}

// The messages of a lentActor.
type (
	// lentSeq is message seq of sender.
	lentSeq struct{ sender, seq int }
	// lentEnd makes the actor call End.
	lentEnd struct{}
	// lentEndStop makes the actor call End and stop, as a unary call does when it ends.
	lentEndStop struct{}
	// lentBlock makes the actor Block on work, then close done (if not nil).
	lentBlock struct {
		work *lentWork
		done chan struct{}
	}
	// lentAfter is what a work's After posts.
	lentAfter struct{ name string }
	// lentPing asks the actor for the goroutine it runs on.
	lentPing struct{ reply chan uint64 }
)

// lentActor is an actor whose mailbox a Lender runs: it logs where each message runs and
// whether two of its runs ever overlapped.
type lentActor struct {
	l         *Lender
	log       *lentLog
	onStarted func(ctx actor.Context) // optional
	afterRan  chan string             // the names of the works whose lentAfter ran
	stopped   chan struct{}
	ended     bool // End was called (only in Receive)
	inRun     atomic.Int32
	overlap   atomic.Bool
}

func newLentActor(l *Lender) *lentActor {
	return &lentActor{l: l, log: &lentLog{}, afterRan: make(chan string, 16), stopped: make(chan struct{})}
}

func (a *lentActor) Receive(ctx actor.Context) {
	if a.inRun.Add(1) > 1 {
		a.overlap.Store(true)
	}
	defer a.inRun.Add(-1)
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.log.add("started", 0, 0)
		if a.onStarted != nil {
			a.onStarted(ctx)
		}
	case *lentSeq:
		a.log.add("seq", m.sender, m.seq)
	case *lentEnd:
		a.end()
	case *lentEndStop:
		a.end()
		ctx.Stop(ctx.Self())
	case *lentBlock:
		a.block(ctx, m.work)
		if m.done != nil {
			close(m.done)
		}
	case *lentAfter:
		a.log.add("after message "+m.name, 0, 0)
		a.afterRan <- m.name
	case *lentPing:
		a.log.add("ping", 0, 0)
		m.reply <- goid()
	case *actor.Stopped:
		a.end() // as the runtime's call actors do: a stop must give the goroutine back
		close(a.stopped)
	}
}

// end calls End, once.
func (a *lentActor) end() {
	if !a.ended {
		a.ended = true
		a.log.add("end", 0, 0)
		a.l.End()
	}
}

func (a *lentActor) block(ctx actor.Context, w *lentWork) {
	a.log.add("block "+w.name, 0, 0)
	w.system, w.self, w.log = ctx.ActorSystem(), ctx.Self(), a.log
	a.l.Block(w)
}

// lentWork is Blocking work that logs where it runs and waits for release (if not nil).
type lentWork struct {
	name    string
	release chan struct{}
	running chan struct{} // closed as Run starts

	system *actor.ActorSystem
	self   *actor.PID
	log    *lentLog
}

func newLentWork(name string, blocks bool) *lentWork {
	w := &lentWork{name: name, running: make(chan struct{})}
	if blocks {
		w.release = make(chan struct{})
	}
	return w
}

func (w *lentWork) Run() {
	w.log.add("run "+w.name, 0, 0)
	close(w.running)
	if w.release != nil {
		<-w.release
	}
	w.log.add("returned "+w.name, 0, 0)
}

func (w *lentWork) After() {
	w.log.add("after "+w.name, 0, 0)
	w.system.Root.Send(w.self, &lentAfter{name: w.name})
}

// wait receives from ch, failing the test rather than hanging if nothing comes.
func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		t.Fatalf("%s: nothing in %v", what, waitFor)
		panic("unreachable")
	}
}

// stopLent stops the actor and waits for its Stopped.
func stopLent(t *testing.T, system *actor.ActorSystem, pid *actor.PID, a *lentActor) {
	t.Helper()
	system.Root.Stop(pid)
	wait(t, a.stopped, "the actor's Stopped")
}

// spawnLent spawns a lentActor that l dispatches.
func spawnLent(system *actor.ActorSystem, l *Lender, onStarted func(a *lentActor, ctx actor.Context)) (*actor.PID, *lentActor) {
	a := newLentActor(l)
	if onStarted != nil {
		a.onStarted = func(ctx actor.Context) { onStarted(a, ctx) }
	}
	pid := system.Root.Spawn(LentProps(func(*actor.ActorSystem) actor.Actor { return a }, l))
	return pid, a
}

func TestLenderLend(t *testing.T) {
	tests := []struct {
		name string
		// senders goroutines post each messages before End; with concurrent, they post
		// while the test's goroutine lends itself, else all is posted before Lend.
		senders, each int
		concurrent    bool
		// afterEnd messages per sender are posted after End (after Lend returned unless
		// concurrent).
		afterEnd int
	}{
		{name: "one message, then End", senders: 1, each: 1},
		{name: "many messages before Lend run on the lending goroutine", senders: 1, each: 1000},
		{name: "messages after Lend returned run on a warm worker", senders: 1, each: 10, afterEnd: 10},
		{name: "several senders while lending keep their order", senders: 8, each: 500, concurrent: true},
		{name: "several senders across End keep their order", senders: 8, each: 300, concurrent: true, afterEnd: 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			system := NewSystem()
			var l Lender
			l.InitLend(system)
			pid, a := spawnLent(system, &l, nil)
			me := goid()

			post := func(sender, from, to int) {
				for i := from; i < to; i++ {
					system.Root.Send(pid, &lentSeq{sender: sender, seq: i})
				}
			}
			var before, after sync.WaitGroup
			if tt.concurrent {
				// Each sender posts its first messages, then the End message is posted
				// once all are in, then its messages after End.
				endPosted := make(chan struct{})
				for s := range tt.senders {
					before.Add(1)
					after.Go(func() {
						post(s, 0, tt.each)
						before.Done()
						<-endPosted
						post(s, tt.each, tt.each+tt.afterEnd)
					})
				}
				go func() {
					before.Wait()
					system.Root.Send(pid, &lentEnd{})
					close(endPosted)
				}()
				l.Lend()
				after.Wait()
			} else {
				for s := range tt.senders {
					post(s, 0, tt.each)
				}
				system.Root.Send(pid, &lentEnd{})
				l.Lend()
				require.True(t, a.log.has("end"), "Lend returned before the actor called End")
				for _, e := range a.log.all() {
					assert.Equal(t, me, e.g, "got %s %d:%d on goroutine %d; want every run before End on the lending goroutine %d", e.name, e.sender, e.seq, e.g, me)
				}
				for s := range tt.senders {
					post(s, tt.each, tt.each+tt.afterEnd)
				}
			}
			// A ping posted last runs after every message posted before it.
			ping := &lentPing{reply: make(chan uint64, 1)}
			system.Root.Send(pid, ping)
			assert.NotEqual(t, me, wait(t, ping.reply, "ping after End"), "a message posted after Lend returned ran on the goroutine that lent itself")

			assert.Equal(t, me, a.log.on(t, "started"), "Started (scheduled before Lend) ran elsewhere than on the lending goroutine")
			lentSeqsInOrder(t, a, tt.senders, tt.each+tt.afterEnd)
			if !tt.concurrent && tt.afterEnd > 0 {
				for _, e := range a.log.all() {
					if e.name == "seq" && e.seq >= tt.each {
						assert.NotEqual(t, me, e.g, "message %d, posted after Lend returned, ran on the goroutine that lent itself", e.seq)
					}
				}
			}
			assert.False(t, a.overlap.Load(), "two runs of the actor overlapped")
			stopLent(t, system, pid, a)
		})
	}
}

// A Lender made for Lend (not Serve) never blocks the lending goroutine: Block runs the
// work on a goroutine of its own, and its After message still reaches the actor.
func TestLenderLendBlock(t *testing.T) {
	system := NewSystem()
	var l Lender
	l.InitLend(system)
	w := newLentWork("work", false)
	pid, a := spawnLent(system, &l, func(a *lentActor, ctx actor.Context) { a.block(ctx, w) })
	me := goid()
	system.Root.Send(pid, &lentEnd{}) // queued behind Started
	l.Lend()
	assert.Equal(t, me, a.log.on(t, "block work"))
	assert.Equal(t, "work", wait(t, a.afterRan, "the work's After message"))
	assert.NotEqual(t, me, a.log.on(t, "run work"), "the work of a lending (not serving) Lender ran on the lending goroutine")
	stopLent(t, system, pid, a)
}

func TestLenderServe(t *testing.T) {
	tests := []struct {
		name string
		// blocks: the work Started blocks on waits for release.
		blocks bool
		// whileBlocked runs while that work blocks, then the test releases it.
		// idle receives once each time a run of the actor ends with its mailbox idle.
		whileBlocked func(t *testing.T, system *actor.ActorSystem, pid *actor.PID, a *lentActor, g uint64, idle <-chan struct{})
		// check runs after the first work's After message ran.
		check func(t *testing.T, a *lentActor, g uint64)
	}{
		{
			name: "the first run, the Block work and the After message run on one goroutine",
			check: func(t *testing.T, a *lentActor, g uint64) {
				for _, step := range []string{"block first", "run first", "after first", "after message first"} {
					assert.Equal(t, g, a.log.on(t, step), "%s ran elsewhere than the first run", step)
				}
			},
		},
		{
			name:   "a message while the work blocks runs on a warm worker before it returns",
			blocks: true,
			whileBlocked: func(t *testing.T, system *actor.ActorSystem, pid *actor.PID, a *lentActor, g uint64, idle <-chan struct{}) {
				drain(idle) // the first run's
				ping := &lentPing{reply: make(chan uint64, 1)}
				system.Root.Send(pid, ping)
				assert.NotEqual(t, g, wait(t, ping.reply, "a ping while the handler blocks"), "the ping ran on the goroutine that blocks")
				// The ping's run replies before it ends: a message posted before its mailbox
				// went idle would run on that warm worker, by design. Release the work only
				// once the run is over.
				wait(t, idle, "the ping's run to end")
				assert.False(t, a.log.has("returned first"))
			},
			check: func(t *testing.T, a *lentActor, g uint64) {
				assert.Equal(t, g, a.log.on(t, "after first"))
				assert.Equal(t, g, a.log.on(t, "after message first"), "the outcome (After's message) did not run on the serving goroutine")
			},
		},
		{
			name:   "Block from a run on a warm worker runs the work on another goroutine",
			blocks: true,
			whileBlocked: func(t *testing.T, system *actor.ActorSystem, pid *actor.PID, a *lentActor, g uint64, _ <-chan struct{}) {
				w := newLentWork("second", false)
				system.Root.Send(pid, &lentBlock{work: w})
				assert.Equal(t, "second", wait(t, a.afterRan, "the second work's After message"))
				run := a.log.on(t, "block second")
				assert.NotEqual(t, g, run, "a run while the serving goroutine blocks ran on it")
				assert.NotEqual(t, g, a.log.on(t, "run second"), "the second work ran on the blocked serving goroutine")
				assert.NotEqual(t, run, a.log.on(t, "run second"), "the second work ran on the warm worker of the run that blocked on it")
				assert.False(t, a.log.has("returned first"))
			},
		},
		{
			name:   "End while the work blocks: the goroutine is given back after the work returns",
			blocks: true,
			whileBlocked: func(t *testing.T, system *actor.ActorSystem, pid *actor.PID, a *lentActor, g uint64, _ <-chan struct{}) {
				system.Root.Send(pid, &lentEnd{})
				ping := &lentPing{reply: make(chan uint64, 1)}
				system.Root.Send(pid, ping)
				wait(t, ping.reply, "a ping after End")
				assert.NotEqual(t, g, a.log.on(t, "end"))
				assert.False(t, a.log.has("returned first"))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			system := NewSystem()
			var l Lender
			l.InitServe(system)
			first := newLentWork("first", tt.blocks)
			idle := &idleSignal{ch: make(chan struct{}, 16)}
			a := newLentActor(&l)
			a.onStarted = func(ctx actor.Context) { a.block(ctx, first) }
			props := LentProps(func(*actor.ActorSystem) actor.Actor { return a }, &l).
				Configure(actor.WithMailbox(unboundedMailbox(idle)))
			pid := system.Root.Spawn(props)
			wait(t, first.running, "the first work")
			g := a.log.on(t, "started")
			assert.Equal(t, g, a.log.on(t, "run first"), "the work Started blocked on ran elsewhere than the first run")
			if tt.whileBlocked != nil {
				tt.whileBlocked(t, system, pid, a, g, idle.ch)
			}
			if first.release != nil {
				close(first.release)
			}
			for name := wait(t, a.afterRan, "the first work's After message"); name != "first"; name = wait(t, a.afterRan, "the first work's After message") {
			}
			if tt.check != nil {
				tt.check(t, a, g)
			}
			assert.False(t, a.overlap.Load(), "two runs of the actor overlapped")
			stopLent(t, system, pid, a)
			goleak.VerifyNone(t) // the serving goroutine went back to the warm pool, which ends
		})
	}
}

// Many calls lend their goroutines at once, each to its own actor, while other goroutines
// post to the actors; each actor ends and stops as a unary call does (End, then Stop in one
// run). Run with -race.
func TestLenderLendStress(t *testing.T) {
	calls, rounds, each := 64, 20, 50
	if testing.Short() {
		rounds = 3
	}
	system := NewSystem()
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for c := range calls {
		wg.Go(func() {
			for r := range rounds {
				var l Lender
				l.InitLend(system)
				pid, a := spawnLent(system, &l, nil)
				var posted sync.WaitGroup
				posted.Go(func() {
					for i := range each {
						system.Root.Send(pid, &lentSeq{seq: i})
					}
					system.Root.Send(pid, &lentEndStop{})
				})
				l.Lend()
				posted.Wait()
				select {
				case <-a.stopped:
				case <-time.After(waitFor):
					errs <- fmt.Errorf("call %d round %d: the actor never stopped", c, r)
					return
				}
				if err := lentSeqsErr(a, each); err != nil {
					errs <- fmt.Errorf("call %d round %d: %w", c, r, err)
					return
				}
				if a.overlap.Load() {
					errs <- fmt.Errorf("call %d round %d: two runs of the actor overlapped", c, r)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// emptyHook is a mailbox middleware whose MailboxEmpty calls fn the first time: the
// mailbox calls it after it went idle, before its run returns to the dispatcher.
type emptyHook struct {
	once sync.Once
	fn   func()
}

func (h *emptyHook) MailboxStarted()     {}
func (h *emptyHook) MessagePosted(any)   {}
func (h *emptyHook) MessageReceived(any) {}
func (h *emptyHook) MailboxEmpty()       { h.once.Do(h.fn) }

var _ actor.MailboxMiddleware = (*emptyHook)(nil)

// idleSignal is a mailbox middleware that sends on ch each time a run ends with the
// mailbox idle (ch must have room: it never blocks the run).
type idleSignal struct{ ch chan struct{} }

func (s *idleSignal) MailboxStarted()     {}
func (s *idleSignal) MessagePosted(any)   {}
func (s *idleSignal) MessageReceived(any) {}
func (s *idleSignal) MailboxEmpty() {
	select {
	case s.ch <- struct{}{}:
	default:
	}
}

var _ actor.MailboxMiddleware = (*idleSignal)(nil)

// drain empties ch without waiting.
func drain(ch <-chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// A run on the serving goroutine returns only after its mailbox went idle: a message posted
// in between is run by a warm worker, and its Block comes while the serving goroutine's slot
// is still open. (Found here: with a flag read by Block instead of the slot, the work was
// left in Lender.blocking without synchronization, a data race, and could wait there until
// another message reached the serving goroutine: a hung handler.) The work must run exactly
// once, without another message, with no race: the serving goroutine takes it from the
// slot once its run returns.
func TestLenderServeBlockAsLentRunEnds(t *testing.T) {
	system := NewSystem()
	var l Lender
	l.InitServe(system)
	second := newLentWork("second", false)
	pids := make(chan *actor.PID, 1)
	blocked := make(chan struct{})
	var serving uint64
	hook := &emptyHook{fn: func() {
		// On the serving goroutine, its first run (Started) done and its mailbox idle:
		// a message now runs on a warm worker, which calls Block.
		serving = goid()
		pid := <-pids
		pids <- pid
		system.Root.Send(pid, &lentBlock{work: second, done: blocked})
		<-blocked
	}}
	a := newLentActor(&l)
	props := LentProps(func(*actor.ActorSystem) actor.Actor { return a }, &l).
		Configure(actor.WithMailbox(unboundedMailbox(hook)))
	pid := system.Root.Spawn(props)
	pids <- pid
	assert.Equal(t, "second", wait(t, a.afterRan, "the work's After message"))
	warm := a.log.on(t, "block second")
	require.NotEqual(t, serving, warm, "the message meant to run on a warm worker ran on the serving goroutine")
	assert.Equal(t, serving, a.log.on(t, "run second"),
		"the work of Block, called from warm worker %d while the slot of serving goroutine %d was open, ran elsewhere", warm, serving)
	stopLent(t, system, pid, a)
	goleak.VerifyNone(t)
}

// offerLoop is a goroutine that lends itself as a stream's receiver does (Handle.wait):
// Offer, then run what comes to Runs until stop closes, then Withdraw. With turns set, it
// hands one token at a time to the posters through turns, and only while it waits in its
// select (lent, no run of the actor on), so each message is posted while it waits. It
// returns how many runs it received from Runs.
func offerLoop(l *Lender, turns chan<- struct{}, stop <-chan struct{}) int {
	l.Offer()
	defer l.Withdraw()
	runs, ran := l.Runs(), 0
	for give := turns; ; {
		select {
		case give <- struct{}{}:
			give = nil // one message at a time: the next turn after its run
		case t := <-runs:
			l.Run(t)
			ran++
			give = turns
		case <-stop:
			return ran
		}
	}
}

// lentSeqsInOrder fails t unless each sender's messages ran once each, 0..n-1 in order.
func lentSeqsInOrder(t *testing.T, a *lentActor, senders, n int) {
	t.Helper()
	got := a.log.seqs()
	for s := range senders {
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		require.Equal(t, want, got[s], "sender %d: got its messages run in this order (or lost, or twice); want each once, in the order sent", s)
	}
}

// lentSeqsErr says how sender 0's messages ran unless they ran 0..n-1, once each, in order.
func lentSeqsErr(a *lentActor, n int) error {
	got := a.log.seqs()[0]
	if len(got) != n {
		return fmt.Errorf("got %d messages run; want %d, each once", len(got), n)
	}
	for i, seq := range got {
		if seq != i {
			return fmt.Errorf("got message %d at %d; want them once each, in order", seq, i)
		}
	}
	return nil
}

// pingLent posts a ping and returns the goroutine it ran on: every message posted before it
// (from the test's goroutine, or from goroutines the test waited for) has run by then.
func pingLent(t *testing.T, system *actor.ActorSystem, pid *actor.PID) uint64 {
	t.Helper()
	ping := &lentPing{reply: make(chan uint64, 1)}
	system.Root.Send(pid, ping)
	return wait(t, ping.reply, "a ping")
}

// A goroutine that offers itself (InitOffer, Offer ... Withdraw) runs the actor while it
// waits on Runs; once it withdrew, the actor runs on warm workers. Across both, every
// message runs once, each sender's in order, never two runs at once.
func TestLenderOffer(t *testing.T) {
	tests := []struct {
		name string
		// senders goroutines post each messages per Offer cycle; with turns, one message
		// at a time, each while the offering goroutine waits in its select (so every one
		// must run on it); else freely, concurrently with its runs (a message posted as a
		// run on it ends may go to a warm worker: it is busy, not waiting).
		senders, each int
		turns         bool
		// cycles of Offer ... Withdraw, each followed by each messages per sender posted
		// after Withdraw returned (which must run on warm workers).
		cycles int
	}{
		{name: "one message while waiting", senders: 1, each: 1, turns: true, cycles: 1},
		{name: "one sender, messages while waiting", senders: 1, each: 200, turns: true, cycles: 1},
		{name: "several senders taking turns while waiting", senders: 4, each: 100, turns: true, cycles: 1},
		{name: "several senders while waiting, several Offer cycles", senders: 4, each: 50, turns: true, cycles: 5},
		{name: "concurrent senders while offering keep order", senders: 8, each: 500, cycles: 1},
		{name: "concurrent senders across Offer cycles keep order", senders: 8, each: 100, cycles: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			system := NewSystem()
			var l Lender
			l.InitOffer(system)
			pid, a := spawnLent(system, &l, nil)
			me := goid()
			// Nobody offers yet: Started (and a ping) run on a warm worker.
			assert.NotEqual(t, me, pingLent(t, system, pid), "a ping before any Offer ran on the goroutine that offers later")
			assert.NotEqual(t, me, a.log.on(t, "started"), "Started, before any Offer, ran on the goroutine that offers later")

			next := make([]int, tt.senders) // each sender's next sequence number
			for c := range tt.cycles {
				var turns chan struct{}
				if tt.turns {
					// The actor idle (no run on a warm worker ending, which would take
					// the first message): each message then gets a run of its own.
					settleOffered(t, system, pid, &l)
					turns = make(chan struct{})
				}
				mark := len(a.log.all())
				stop := make(chan struct{})
				var posters sync.WaitGroup
				for s := range tt.senders {
					from := next[s]
					posters.Go(func() {
						for i := from; i < from+tt.each; i++ {
							if turns != nil {
								<-turns
							}
							system.Root.Send(pid, &lentSeq{sender: s, seq: i})
						}
					})
					next[s] += tt.each
				}
				go func() {
					posters.Wait()
					close(stop)
				}()
				ran := offerLoop(&l, turns, stop) // returns after Withdraw
				if tt.turns {
					// Each message got a run of its own on this goroutine (or, the last,
					// in Withdraw).
					assert.GreaterOrEqual(t, ran, tt.senders*tt.each-1, "cycle %d: runs received from Runs", c)
					for _, e := range a.log.all()[mark:] {
						assert.Equal(t, me, e.g, "cycle %d: %s %d:%d, posted while the offering goroutine waited, ran on goroutine %d; want the offering goroutine %d", c, e.name, e.sender, e.seq, e.g, me)
					}
				}
				// Withdraw ran what claimed the goroutine: after it, only warm workers.
				mark = len(a.log.all())
				for s := range tt.senders {
					for range tt.each {
						system.Root.Send(pid, &lentSeq{sender: s, seq: next[s]})
						next[s]++
					}
				}
				assert.NotEqual(t, me, pingLent(t, system, pid), "cycle %d: a ping after Withdraw ran on the goroutine that withdrew", c)
				for _, e := range a.log.all()[mark:] {
					assert.NotEqual(t, me, e.g, "cycle %d: %s %d:%d, posted after Withdraw returned, ran on the goroutine that withdrew", c, e.name, e.sender, e.seq)
				}
			}
			lentSeqsInOrder(t, a, tt.senders, tt.cycles*2*tt.each)
			assert.False(t, a.overlap.Load(), "two runs of the actor overlapped")
			stopLent(t, system, pid, a)
		})
	}
}

// settleOffered returns once the actor is idle: l offered, a ping run through Runs (not
// the tail of a run on a warm worker, which could take the next message), then withdrawn.
func settleOffered(t *testing.T, system *actor.ActorSystem, pid *actor.PID, l *Lender) {
	t.Helper()
	l.Offer()
	defer l.Withdraw()
	for {
		ping := &lentPing{reply: make(chan uint64, 1)}
		system.Root.Send(pid, ping)
		select {
		case run := <-l.Runs():
			l.Run(run)
			select {
			case <-ping.reply:
				return // it ran in that run, which returned with the mailbox idle
			default:
			}
			wait(t, ping.reply, "a ping")
		case <-ping.reply: // a warm worker's run took it: try again
		case <-time.After(waitFor):
			t.Fatal("a ping posted while offering never ran")
		}
	}
}

// offeredIdle spawns an actor on a new Lender prepared with InitOffer, and returns once it
// is idle (settleOffered), with the Lender not offered.
func offeredIdle(t *testing.T) (*actor.ActorSystem, *Lender, *actor.PID, *lentActor) {
	t.Helper()
	system := NewSystem()
	l := new(Lender)
	l.InitOffer(system)
	pid, a := spawnLent(system, l, nil)
	settleOffered(t, system, pid, l)
	return system, l, pid, a
}

// postAsWithdraws posts message i from another goroutine released just as the test's
// goroutine calls withdraw, and returns once both are done.
func postAsWithdraws(system *actor.ActorSystem, pid *actor.PID, i int, withdraw func()) {
	gate := make(chan struct{})
	posted := make(chan struct{})
	go func() {
		<-gate
		system.Root.Send(pid, &lentSeq{seq: i})
		close(posted)
	}()
	close(gate)
	withdraw()
	<-posted
}

// A run that claims the offering goroutine just before Withdraw (its task in, or on its way
// to, Runs) runs inside Withdraw: Withdraw returns (never waits for ever), and the message
// runs exactly once.
func TestLenderOfferWithdrawRace(t *testing.T) {
	tests := []struct {
		name string
		// post posts message i to pid around a Withdraw on the test's goroutine (the
		// offering one); it returns once that post is done.
		post func(system *actor.ActorSystem, pid *actor.PID, i int, withdraw func())
		// onWithdrawer: the message must have run inside Withdraw, on its goroutine.
		onWithdrawer bool
		// afterRun: each Withdraw follows a Run of a ping posted while offering.
		afterRun bool
	}{
		{
			name: "claimed before Withdraw, task waiting in Runs",
			post: func(system *actor.ActorSystem, pid *actor.PID, i int, withdraw func()) {
				system.Root.Send(pid, &lentSeq{seq: i}) // claims: the goroutine is offered, the actor idle
				withdraw()
			},
			onWithdrawer: true,
		},
		{name: "posted exactly as the goroutine withdraws", post: postAsWithdraws},
		{name: "posted exactly as the goroutine withdraws, after a run on it", post: postAsWithdraws, afterRun: true},
	}
	iterations := 2000
	if testing.Short() {
		iterations = 200
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			system, l, pid, a := offeredIdle(t)
			me := goid()
			for i := range iterations {
				l.Offer()
				if tt.afterRun {
					// Wait as Handle.wait does for a ping posted while offering, running
					// what comes to Runs meanwhile, so that the Withdraw below follows a
					// Run (unless the actor's previous run, on a warm worker, took it).
					ping := &lentPing{reply: make(chan uint64, 1)}
					system.Root.Send(pid, ping)
				ran:
					for {
						select {
						case t := <-l.Runs():
							l.Run(t)
						case <-ping.reply:
							break ran
						case <-time.After(waitFor):
							t.Fatalf("iteration %d: a ping posted while offering never ran", i)
						}
					}
				}
				withdrawn := make(chan struct{})
				tt.post(system, pid, i, func() {
					go func() { // watch: Withdraw must return
						select {
						case <-withdrawn:
						case <-time.After(waitFor):
							panic(fmt.Sprintf("iteration %d: Withdraw blocked for %v", i, waitFor))
						}
					}()
					l.Withdraw()
					close(withdrawn)
				})
				if tt.onWithdrawer {
					var got *lentEvent
					for _, e := range a.log.all() {
						if e.name == "seq" && e.seq == i {
							got = &e
						}
					}
					require.NotNil(t, got, "iteration %d: Withdraw returned before the message that claimed the goroutine ran", i)
					require.Equal(t, me, got.g, "iteration %d: the message that claimed the goroutine ran elsewhere than in Withdraw", i)
				}
			}
			pingLent(t, system, pid)
			require.NoError(t, lentSeqsErr(a, iterations))
			assert.False(t, a.overlap.Load(), "two runs of the actor overlapped")
			stopLent(t, system, pid, a)
			goleak.VerifyNone(t)
		})
	}
}

// Many goroutines offer themselves at once, each to its own actor, in short Offer ... Withdraw
// cycles, while a poster per actor posts throughout and tells the goroutine to withdraw at
// random points; with pokes, the poster also pokes the goroutine (Lender.Poke) as a run
// elsewhere that delivered would. Every message runs exactly once, in order; Withdraw always
// returns. Run with -race.
func TestLenderOfferStress(t *testing.T) {
	for _, pokes := range []bool{false, true} {
		t.Run(fmt.Sprintf("pokes=%v", pokes), func(t *testing.T) { offerStress(t, pokes) })
	}
}

func offerStress(t *testing.T, pokes bool) {
	actorsN, each := 64, 2000
	if testing.Short() {
		each = 200
	}
	system := NewSystem()
	var wg sync.WaitGroup
	errs := make(chan error, actorsN)
	for c := range actorsN {
		wg.Go(func() {
			var l Lender
			l.InitOffer(system)
			pid, a := spawnLent(system, &l, nil)
			withdraw := make(chan struct{}, 1)
			posted := make(chan struct{})
			go func() {
				for i := range each {
					system.Root.Send(pid, &lentSeq{seq: i})
					if pokes && i%2 == 1 {
						l.Poke()
					}
					if i%3 == 0 {
						select {
						case withdraw <- struct{}{}:
						default:
						}
					}
				}
				close(posted)
			}()
			cycles := 0
			for done := false; !done; cycles++ {
				l.Offer()
				runs := l.Runs()
			wait:
				for {
					select {
					case t := <-runs:
						l.Run(t)
					case <-withdraw:
						break wait
					case <-posted:
						done = true
						break wait
					}
				}
				l.Withdraw()
			}
			ping := &lentPing{reply: make(chan uint64, 1)}
			system.Root.Send(pid, ping)
			select {
			case <-ping.reply:
			case <-time.After(waitFor):
				errs <- fmt.Errorf("actor %d: a ping after the last Withdraw never ran", c)
				return
			}
			if err := lentSeqsErr(a, each); err != nil {
				errs <- fmt.Errorf("actor %d (%d Offer cycles): %w", c, cycles, err)
				return
			}
			if a.overlap.Load() {
				errs <- fmt.Errorf("actor %d: two runs of the actor overlapped", c)
				return
			}
			system.Root.Stop(pid)
			select {
			case <-a.stopped:
			case <-time.After(waitFor):
				errs <- fmt.Errorf("actor %d: never stopped", c)
			}
		})
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	wait(t, finished, "the offering goroutines (a Withdraw that blocks for ever hangs one)")
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	goleak.VerifyNone(t)
}

// Poke wakes a goroutine that offered itself with a run of nothing, once per Offer: it
// claims the goroutine as a run does, so a run scheduled after it goes to a warm worker,
// and Withdraw runs (nothing) for a poke it did not receive. A goroutine that has not
// offered itself, or is busy, is not poked; nor is a nil Lender's.
func TestLenderPoke(t *testing.T) {
	tests := []struct {
		name string
		// do runs with the actor idle and l not offered; it returns the messages of the
		// actor it expects to run on the test's goroutine.
		do func(t *testing.T, system *actor.ActorSystem, pid *actor.PID, l *Lender) int
	}{
		{name: "poke while offered: Runs gives a run of nothing", do: func(t *testing.T, _ *actor.ActorSystem, _ *actor.PID, l *Lender) int {
			l.Offer()
			l.Poke()
			l.Poke() // claimed already: ignored
			select {
			case run := <-l.Runs():
				l.Run(run)
			default:
				t.Fatal("no run in Runs after a poke while offered")
			}
			l.Withdraw()
			return 0
		}},
		{name: "poke while offered, then withdraw: Withdraw takes it", do: func(t *testing.T, _ *actor.ActorSystem, _ *actor.PID, l *Lender) int {
			l.Offer()
			l.Poke()
			l.Withdraw()
			assert.Empty(t, l.Runs(), "Runs after Withdraw")
			return 0
		}},
		{name: "poke claims the goroutine: a message posted next runs on a warm worker", do: func(t *testing.T, system *actor.ActorSystem, pid *actor.PID, l *Lender) int {
			l.Offer()
			l.Poke()
			assert.NotEqual(t, goid(), pingLent(t, system, pid), "a ping posted after a poke ran on the poked goroutine")
			l.Withdraw()
			return 0
		}},
		{name: "a run after a poke is run: the goroutine is offered again", do: func(t *testing.T, system *actor.ActorSystem, pid *actor.PID, l *Lender) int {
			l.Offer()
			l.Poke()
			l.Run(<-l.Runs())
			ping := &lentPing{reply: make(chan uint64, 1)}
			system.Root.Send(pid, ping)
			l.Run(<-l.Runs())
			assert.Equal(t, goid(), wait(t, ping.reply, "a ping"), "a ping posted after the poked goroutine ran its poke ran elsewhere")
			l.Withdraw()
			return 1
		}},
		{name: "poke without an offer does nothing", do: func(t *testing.T, _ *actor.ActorSystem, _ *actor.PID, l *Lender) int {
			l.Poke()
			assert.Empty(t, l.Runs(), "Runs after a poke of a goroutine that did not offer itself")
			l.Offer()
			l.Withdraw() // returns: nothing claimed the goroutine
			return 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			system, l, pid, a := offeredIdle(t)
			mark := len(a.log.all())
			want := tt.do(t, system, pid, l)
			pingLent(t, system, pid)
			me, on := goid(), 0
			for _, e := range a.log.all()[mark:] {
				if e.g == me {
					on++
				}
			}
			assert.Equal(t, want, on, "messages run on the test's goroutine")
			stopLent(t, system, pid, a)
		})
	}
	require.NotPanics(t, func() { (*Lender)(nil).Poke() }, "a nil Lender's Poke")
}

// A nil Lender (a handle with no lender) offers nothing: Offer and Withdraw do nothing, and
// Runs is a nil channel, so a select on it takes its other cases.
func TestLenderNilOffer(t *testing.T) {
	tests := []struct {
		name string
		do   func(l *Lender)
	}{
		{name: "Offer then Withdraw", do: func(l *Lender) { l.Offer(); l.Withdraw() }},
		{name: "Withdraw alone", do: func(l *Lender) { l.Withdraw() }},
		{name: "Offer twice then Withdraw twice", do: func(l *Lender) { l.Offer(); l.Offer(); l.Withdraw(); l.Withdraw() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l *Lender
			require.NotPanics(t, func() { tt.do(l) })
			require.Nil(t, l.Runs(), "a nil Lender's Runs is not a nil channel")
			l.Offer()
			took := "runs"
			select {
			case <-l.Runs():
			default:
				took = "default"
			}
			assert.Equal(t, "default", took, "a select on a nil Lender's Runs with a default did not take the default")
			l.Withdraw()
		})
	}
}
