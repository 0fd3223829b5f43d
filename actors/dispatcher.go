package actors

import (
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/asynkron/protoactor-go/actor"
)

// warmDispatcher runs mailboxes on goroutines that stay warm for a while after their last
// run, instead of protoactor-go's default of a new goroutine per mailbox activation (whose
// stack grows again every time). A mailbox is handed to an idle warm goroutine if there is
// one, else to a new goroutine, so nothing ever waits for a worker: an actor that blocks
// (a connection flushing to a slow peer) cannot starve the others. A worker with nothing to
// do for workerIdle exits, so no goroutine outlives the work.
type warmDispatcher struct {
	work       chan task
	throughput int
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
	return &warmDispatcher{work: make(chan task), throughput: mailboxThroughput}
}

// Schedule runs fn on a warm goroutine.
func (d *warmDispatcher) Schedule(fn func()) { d.schedule(funcTask(fn)) }

func (d *warmDispatcher) schedule(t task) {
	select {
	case d.work <- t: // an idle worker takes it
	default:
		go d.worker(t)
	}
}

func (d *warmDispatcher) Throughput() int { return d.throughput }

func (d *warmDispatcher) worker(t task) {
	t.runTask()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		select {
		case t := <-d.work:
			t.runTask()
			idle.Reset(workerIdle)
		case <-idle.C:
			return
		}
	}
}

// runtimeEnv is what the runtime actors of one actor system share: the warm dispatcher
// and the props options that select it and the runtime mailbox, built once so that a
// spawn does not build them again.
type runtimeEnv struct {
	dispatcher *warmDispatcher
	// opts is {WithMailbox(runtimeMailbox), WithDispatcher(dispatcher)}; never appended to.
	opts []actor.PropsOption
}

// withRuntimeMailbox selects the runtime mailbox (mailbox.go).
var withRuntimeMailbox = actor.WithMailbox(runtimeMailbox)

// envs holds one runtimeEnv per actor system: workers started for one system (in a
// testing/synctest bubble, say) never run another's mailboxes. Keys are weak, and an
// entry goes when its system is collected, so the map does not keep systems alive.
var envs sync.Map // weak.Pointer[actor.ActorSystem] → *runtimeEnv

// envFor returns the runtimeEnv of system.
func envFor(system *actor.ActorSystem) *runtimeEnv {
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
