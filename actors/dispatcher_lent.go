package actors

import (
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// Lender is the dispatcher of one call actor whose mailbox runs on a goroutine lent to it
// while that goroutine has nothing else to do, and on the warm dispatcher otherwise:
//
//   - a caller blocked in a unary Invoke lends its goroutine (Lend) until the call ends, so
//     the response is decoded and the caller resumes on one goroutine, with no hand-off
//     from a worker to the caller;
//   - a server call actor gets a goroutine of its own on its first activation, which later
//     runs the call's blocking handler (Block), so a request's start, its handler and its
//     response need no worker hand-offs either;
//   - a stream's receiving goroutine lends itself only while it waits in Recv (Offer,
//     Runs, Run, Withdraw), so the message it waits for is delivered where it is read.
//
// It is still an actor: its mailbox runs one message at a time, on one goroutine at a time,
// and the goroutine only ever runs this mailbox. While the lent goroutine is busy (running
// the handler, or between two runs) a run goes to the warm dispatcher, so the actor never
// waits for the goroutine: a deadline or a cancellation is handled while the handler runs.
//
// The hand-off is a buffered channel and a flag: a run claims the lent goroutine by moving
// lent from true to false and then sends itself; the goroutine sets lent before it waits.
// The mailbox schedules at most one run at a time, and End is sent once, so the channel
// (capacity 2) never blocks.
type Lender struct {
	warm  *warmDispatcher
	tasks chan task // runs for the lent goroutine, and nil for End
	lent  atomic.Bool
	// started is set by the first run of a serving Lender (InitServe), which takes its
	// goroutine then.
	started atomic.Bool
	// slot is where Block leaves work for a serving goroutine: open from before its run
	// starts until after it returns. A run on a warm worker may begin while the serving
	// goroutine's run is ending (its mailbox already idle), so Block cannot tell by itself
	// which goroutine it is on; the slot decides: work left while it is open is run by the
	// serving goroutine once its run returns, and work after that gets a goroutine of its
	// own. mu guards the slot: the dispatcher's own hand-off (infrastructure), held for a
	// few instructions, never while a run or the work runs.
	mu       sync.Mutex
	slotOpen bool
	blocking Blocking
	serve    bool
	first    task // the first run of a serving Lender, for runTask
	// chans, for a loan (InitLend, InitServe), is where tasks goes once the loan ended
	// (Lend returned, the serving goroutine was given back): nothing sends on it again (a
	// run claims the goroutine before it sends, and no claim succeeds after giveBack), and
	// it is empty. The pool is the actor system's, so a channel made in a
	// testing/synctest bubble stays in it.
	chans *sync.Pool
}

// runTask makes the warm worker that runs it the goroutine of a serving Lender: the warm
// dispatcher starts a worker when none is idle, so one that blocks in a handler starves
// nothing.
func (l *Lender) runTask() { l.serveLoop(l.first) }

var _ actor.Dispatcher = (*Lender)(nil)

// InitLend prepares l for a goroutine that will Lend itself: runs scheduled from now on wait
// for that goroutine (Lend must follow). system selects the warm dispatcher.
func (l *Lender) InitLend(system *actor.ActorSystem) {
	l.initPooled(system)
	l.lent.Store(true)
}

// initPooled sets the warm dispatcher and takes tasks from the system's pool, to go back
// there once the loan ended (see chans).
func (l *Lender) initPooled(system *actor.ActorSystem) {
	env := envFor(system)
	l.warm, l.chans = env.dispatcher, &env.lendChans
	if c, ok := l.chans.Get().(chan task); ok {
		l.tasks = c
	} else {
		l.tasks = make(chan task, 2)
	}
}

// InitServe prepares l to take a goroutine of its own on its actor's first run (a warm
// worker); the goroutine is given back after End, once the blocking work it runs (if any)
// has returned.
func (l *Lender) InitServe(system *actor.ActorSystem) {
	l.initPooled(system)
	l.serve = true
}

// InitOffer prepares l for a goroutine that lends itself only while it waits in a select of
// its own (a stream's receiver): Offer, then Runs and Run, then Withdraw.
func (l *Lender) InitOffer(system *actor.ActorSystem) {
	l.warm = envFor(system).dispatcher
	l.tasks = make(chan task, 2)
}

// Offer lends the calling goroutine until Withdraw: a run scheduled meanwhile comes to
// Runs. A nil Lender offers nothing.
func (l *Lender) Offer() {
	if l != nil {
		l.lent.Store(true)
	}
}

// Runs is where a goroutine that offered itself receives the runs it was lent for (nil for
// a nil Lender, so that a select on it never fires).
func (l *Lender) Runs() <-chan task {
	if l == nil {
		return nil
	}
	return l.tasks
}

// Run runs t, received from Runs, and offers the goroutine again.
func (l *Lender) Run(t task) {
	t.runTask()
	l.lent.Store(true)
}

// Poke wakes the goroutine that offered itself, if it waits, without a run: something it
// checks before it waits (a delivery made by a run on another goroutine, which began
// before the Offer) has changed. It claims the goroutine as a run does, so the goroutine
// checks again before it waits again. A nil Lender, or one whose goroutine is busy,
// ignores it.
func (l *Lender) Poke() {
	if l != nil && l.lent.CompareAndSwap(true, false) {
		l.tasks <- wakeTask{}
	}
}

// wakeTask is the run Poke sends: nothing to run.
type wakeTask struct{}

func (wakeTask) runTask() {}

// Withdraw ends an Offer (call it only after one). A run that claimed the goroutine just
// before is in, or on its way to, Runs (after an Offer, only a claim clears lent): it runs
// now, on this goroutine.
func (l *Lender) Withdraw() {
	if l != nil && !l.lent.CompareAndSwap(true, false) {
		(<-l.tasks).runTask()
	}
}

// Schedule runs fn on the lent goroutine if it waits, else on the warm dispatcher.
func (l *Lender) Schedule(fn func()) { l.schedule(funcTask(fn)) }

// Throughput is how many messages a run handles before it yields the processor.
func (l *Lender) Throughput() int { return mailboxThroughput }

func (l *Lender) schedule(t task) {
	if l.serve && !l.started.Load() && l.started.CompareAndSwap(false, true) {
		// A warm worker (its stack already grown) becomes the serving goroutine.
		l.first = t
		l.warm.schedule(l)
		return
	}
	if l.lent.CompareAndSwap(true, false) {
		l.tasks <- t
		return
	}
	l.warm.schedule(t)
}

// Lend runs the actor's mailbox on the calling goroutine until End.
func (l *Lender) Lend() {
	for {
		t := <-l.tasks
		if t == nil {
			l.giveBack()
			l.chans.Put(l.tasks)
			return
		}
		t.runTask()
		l.lent.Store(true)
	}
}

// End releases the lent goroutine: Lend returns, a serving goroutine ends. The actor calls
// it once, from Receive.
func (l *Lender) End() { l.tasks <- nil }

// Blocking is work for a Lender's goroutine that may block, such as a handler.
type Blocking interface {
	// Run does the work; it may block.
	Run()
	// After runs next, with the goroutine lent again, so that the message it posts to the
	// actor (the work's outcome) is run there too.
	After()
}

// Block runs work on the serving goroutine after its current run (see slot); else on a new
// goroutine. Only a serving Lender (InitServe) lends a goroutine that may block.
func (l *Lender) Block(work Blocking) {
	if l.serve {
		l.mu.Lock()
		open := l.slotOpen
		if open {
			l.blocking = work
		}
		l.mu.Unlock()
		if open {
			return
		}
	}
	go func() {
		work.Run()
		work.After()
	}()
}

// LentProps returns the props of a runtime actor (RuntimeProps) that l dispatches.
func LentProps(producer actor.ProducerWithActorSystem, l *Lender) *actor.Props {
	return actor.PropsFromProducerWithActorSystem(producer, withRuntimeMailbox, actor.WithDispatcher(l))
}

// serveLoop is the goroutine of a serving Lender, started with the actor's first run.
func (l *Lender) serveLoop(t task) {
	for {
		l.mu.Lock()
		l.slotOpen = true
		l.mu.Unlock()
		t.runTask()
		l.mu.Lock()
		work := l.blocking
		l.blocking, l.slotOpen = nil, false
		l.mu.Unlock()
		if work != nil {
			work.Run()
		}
		l.lent.Store(true)
		if work != nil {
			work.After()
		}
		if t = <-l.tasks; t == nil {
			l.giveBack()
			l.chans.Put(l.tasks)
			return
		}
	}
}

// giveBack ends the loan after End: a run that claimed the goroutine meanwhile is in (or on
// its way to) tasks, and goes to the warm dispatcher.
func (l *Lender) giveBack() {
	if !l.lent.CompareAndSwap(true, false) {
		l.warm.schedule(<-l.tasks)
	}
}
