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
	work       chan func()
	throughput int
}

const (
	workerIdle        = 50 * time.Millisecond
	mailboxThroughput = 300
)

var _ actor.Dispatcher = (*warmDispatcher)(nil)

func (d *warmDispatcher) Schedule(fn func()) {
	select {
	case d.work <- fn: // an idle worker takes it
	default:
		go d.worker(fn)
	}
}

func (d *warmDispatcher) Throughput() int { return d.throughput }

func (d *warmDispatcher) worker(fn func()) {
	fn()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		select {
		case fn := <-d.work:
			fn()
			idle.Reset(workerIdle)
		case <-idle.C:
			return
		}
	}
}

// dispatchers holds one dispatcher per actor system: workers started for one system (in
// a testing/synctest bubble, say) never run another's mailboxes. Keys are weak, and an
// entry goes when its system is collected, so the map does not keep systems alive.
var dispatchers sync.Map // weak.Pointer[actor.ActorSystem] → *warmDispatcher

// dispatcherFor returns the dispatcher of system's runtime actors.
func dispatcherFor(system *actor.ActorSystem) actor.Dispatcher {
	key := weak.Make(system)
	if d, ok := dispatchers.Load(key); ok {
		return d.(*warmDispatcher)
	}
	d, loaded := dispatchers.LoadOrStore(key, &warmDispatcher{work: make(chan func()), throughput: mailboxThroughput})
	if !loaded {
		runtime.AddCleanup(system, func(k weak.Pointer[actor.ActorSystem]) { dispatchers.Delete(k) }, key)
	}
	return d.(*warmDispatcher)
}

// RuntimeProps returns props for one of the runtime's own actors (never a user's: those
// may block for long and keep protoactor-go's default dispatcher), with the warm
// dispatcher of system.
// With a nil system they get protoactor-go's default dispatcher.
func RuntimeProps(system *actor.ActorSystem, producer actor.Producer, opts ...actor.PropsOption) *actor.Props {
	if system == nil {
		return actor.PropsFromProducer(producer, opts...)
	}
	return actor.PropsFromProducer(producer, append(opts, actor.WithDispatcher(dispatcherFor(system)))...)
}
