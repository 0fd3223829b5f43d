package actors

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/asynkron/protoactor-go/actor"
)

// warmDispatcher runs mailboxes on goroutines that stay warm for a while after their last
// run, instead of protoactor-go's default of a new goroutine per mailbox activation (whose
// stack grows again every time). A mailbox is handed to an idle warm goroutine if there is
// one, else to a new goroutine, so nothing ever waits for a worker: an actor that blocks
// (a connection flushing to a slow peer) cannot starve the others. A worker idle for
// workerIdle exits, so no goroutine outlives the work.
//
// Idle workers wait on channels of their own, in a stack: the most recently used (warmest)
// worker takes the next task, and the ones left at the bottom age out. One timer for the
// whole dispatcher retires them. (A shared channel and a timer per worker in a select, as
// before, cost a contended channel lock and a timer reset per task.)
type warmDispatcher struct {
	throughput int

	// mu guards idle and reaping: the dispatcher's own bookkeeping (infrastructure, like
	// a mailbox's queue lock), held for a push or a pop, never while a task runs.
	mu      sync.Mutex
	idle    []*warmWorker // waiting for a task; the last one was idle the shortest
	reaping bool          // a reap is pending
}

// warmWorker is one warm goroutine; next takes its next task, or nil to exit.
type warmWorker struct {
	next      chan task
	idleSince time.Time // when it became idle (guarded by warmDispatcher.mu)
}

// task is one activation the warm dispatcher runs: a runtime mailbox schedules itself
// (no closure to allocate), anything else schedules a func.
type task interface{ runTask() }

// funcTask is a func scheduled through actor.Dispatcher.
type funcTask func()

func (f funcTask) runTask() { f() }

const (
	workerIdle        = 50 * time.Millisecond
	mailboxThroughput = 300
)

var _ actor.Dispatcher = (*warmDispatcher)(nil)

func newWarmDispatcher() *warmDispatcher {
	return &warmDispatcher{throughput: mailboxThroughput}
}

// Schedule runs fn on a warm goroutine.
func (d *warmDispatcher) Schedule(fn func()) { d.schedule(funcTask(fn)) }

func (d *warmDispatcher) schedule(t task) {
	d.mu.Lock()
	if n := len(d.idle); n > 0 {
		w := d.idle[n-1]
		d.idle[n-1] = nil
		d.idle = d.idle[:n-1]
		d.mu.Unlock()
		w.next <- t // never blocks: an idle worker's channel is empty
		return
	}
	d.mu.Unlock()
	go d.work(&warmWorker{next: make(chan task, 1)}, t)
}

func (d *warmDispatcher) Throughput() int { return d.throughput }

// work runs t, then whatever the worker is given next, until it is told to exit.
func (d *warmDispatcher) work(w *warmWorker, t task) {
	for t != nil {
		t.runTask()
		t = d.park(w)
	}
}

// park makes w idle and waits for its next task.
func (d *warmDispatcher) park(w *warmWorker) task {
	d.mu.Lock()
	w.idleSince = time.Now()
	d.idle = append(d.idle, w)
	if !d.reaping {
		d.reaping = true
		time.AfterFunc(workerIdle, d.reap)
	}
	d.mu.Unlock()
	return <-w.next
}

// reap tells the workers idle for workerIdle or more to exit (they are at the bottom of the
// stack), and comes back while any worker is idle.
func (d *warmDispatcher) reap() {
	d.mu.Lock()
	now := time.Now()
	n := 0
	for n < len(d.idle) && now.Sub(d.idle[n].idleSince) >= workerIdle {
		n++
	}
	old := make([]*warmWorker, n)
	copy(old, d.idle[:n])
	rest := copy(d.idle, d.idle[n:])
	clear(d.idle[rest:])
	d.idle = d.idle[:rest]
	if len(d.idle) > 0 {
		time.AfterFunc(workerIdle-now.Sub(d.idle[0].idleSince), d.reap)
	} else {
		d.reaping = false
	}
	d.mu.Unlock()
	for _, w := range old {
		w.next <- nil
	}
}

// runtimeEnv is what the runtime actors of one actor system share: the warm dispatcher
// and the props options that select it and the runtime mailbox, built once so that a
// spawn does not build them again.
type runtimeEnv struct {
	dispatcher *warmDispatcher
	// opts is {WithMailbox(runtimeMailbox), WithDispatcher(dispatcher)}; never appended to.
	opts []actor.PropsOption
	// lendChans keeps the channels of ended loans (Lender.InitLend).
	lendChans sync.Pool
}

// withRuntimeMailbox selects the runtime mailbox (mailbox.go).
var withRuntimeMailbox = actor.WithMailbox(runtimeMailbox)

// envs holds one runtimeEnv per actor system: workers started for one system (in a
// testing/synctest bubble, say) never run another's mailboxes. Keys are weak, and an
// entry goes when its system is collected, so the map does not keep systems alive.
var envs sync.Map // weak.Pointer[actor.ActorSystem] → *runtimeEnv

// envEntry is envFor's last answer: a call per RPC asks, almost always for one system.
type envEntry struct {
	system weak.Pointer[actor.ActorSystem]
	env    *runtimeEnv
}

// lastEnv spares envFor weak.Make and a map lookup when asked for the same system again;
// the entry holds its system weakly, like envs.
var lastEnv atomic.Pointer[envEntry]

// envFor returns the runtimeEnv of system.
func envFor(system *actor.ActorSystem) *runtimeEnv {
	if e := lastEnv.Load(); e != nil && e.system.Value() == system {
		return e.env
	}
	env := lookupEnv(system)
	lastEnv.Store(&envEntry{system: weak.Make(system), env: env})
	return env
}

// lookupEnv returns the runtimeEnv of system from envs, making it the first time.
func lookupEnv(system *actor.ActorSystem) *runtimeEnv {
	key := weak.Make(system)
	if e, ok := envs.Load(key); ok {
		return e.(*runtimeEnv)
	}
	d := newWarmDispatcher()
	fresh := &runtimeEnv{dispatcher: d, opts: []actor.PropsOption{withRuntimeMailbox, actor.WithDispatcher(d)}}
	e, loaded := envs.LoadOrStore(key, fresh)
	if !loaded {
		runtime.AddCleanup(system, func(k weak.Pointer[actor.ActorSystem]) { envs.Delete(k) }, key)
	}
	return e.(*runtimeEnv)
}

// RuntimeProps returns props for one of the runtime's own actors (never a user's: those
// may block for long and keep protoactor-go's default dispatcher and mailbox), with the
// warm dispatcher of system and the runtime mailbox (mailbox.go). An actor.WithMailbox
// among opts replaces the runtime mailbox; the dispatcher is always system's.
// With a nil system they get protoactor-go's default dispatcher.
//
// Without opts it allocates the Props and a wrapper of producer;
// RuntimePropsWithSystem spares the wrapper.
func RuntimeProps(system *actor.ActorSystem, producer actor.Producer, opts ...actor.PropsOption) *actor.Props {
	return RuntimePropsWithSystem(system, func(*actor.ActorSystem) actor.Actor { return producer() }, opts...)
}

// RuntimePropsWithSystem is RuntimeProps for a producer that takes the actor system:
// without opts, the Props is its one allocation. A spawn per call should use it, e.g.
//
//	RuntimePropsWithSystem(system, func(*actor.ActorSystem) actor.Actor { return newCall(params) })
func RuntimePropsWithSystem(system *actor.ActorSystem, producer actor.ProducerWithActorSystem, opts ...actor.PropsOption) *actor.Props {
	if system == nil {
		return actor.PropsFromProducerWithActorSystem(producer, withRuntimeMailbox).Configure(opts...)
	}
	env := envFor(system)
	props := actor.PropsFromProducerWithActorSystem(producer, env.opts...)
	if len(opts) > 0 {
		props.Configure(opts...)
		props.Configure(env.opts[1]) // the dispatcher stays system's
	}
	return props
}
