package streamactor

import (
	"github.com/asynkron/protoactor-go/actor"
)

// deliveryDepth is how many received messages a stream actor hands its blocking handle
// ahead of the application: the handle takes them without a round trip to the actor.
const deliveryDepth = 32

// reportBytes and reportCount are how much the application consumes before its handle
// tells the stream actor (takeMore), so that the actor returns the window and refills
// the delivery channel about twice per channel's worth; a handle about to wait always
// reports.
const (
	reportBytes = 32 << 10
	reportCount = deliveryDepth / 2
)

// takeMore is posted by a handle's receiving goroutine: it consumed n bytes (on the wire)
// of the messages delivered so far, and reads the delivery channel.
type takeMore struct{ consumed int }

// Handle is the blocking side of a stream, used from the application's goroutines: one
// goroutine receives while another sends (as in grpc-go, two goroutines must not receive,
// or send, at the same time). It shares only channels with its stream actor:
//
//   - msgs: the actor delivers received messages, then the end, in order, never more than
//     the channel holds (it checks for room; it is the only writer, so it never blocks).
//     The application's consumption goes back by takeMore, batched; the actor returns the
//     stream's window to the peer only then, so a slow reader bounds what is buffered.
//   - credit: the actor returns send buffer as the connection writes what the handle
//     sent. It holds at most one value; the actor merges what it adds with what is there.
//     A send waits only when the handle has no credit left.
//   - sendDone: closed by the actor once nothing more can be sent; sendErr, written just
//     before, is what a send then returns (a set-once signal at the API edge).
type Handle struct {
	system *actor.ActorSystem
	pid    *actor.PID

	msgs     chan RecvResult
	credit   chan int
	sendDone chan struct{}
	sendErr  error

	// Owned by the receiving goroutine.
	unreported  int         // wire bytes consumed and not yet reported
	unreportedN int         // messages consumed and not yet reported
	end         *RecvResult // the end, once delivered: every later receive returns it

	// Owned by the sending goroutine.
	sendCredit int // bytes it may hand to the actor before waiting for credit
}

// NewHandle returns the handle of a stream that may have sendBuffer bytes not yet written
// to its connection (DefaultSendBuffer when sendBuffer <= 0). Bind it to the actor before
// use.
func NewHandle(sendBuffer int) *Handle {
	if sendBuffer <= 0 {
		sendBuffer = DefaultSendBuffer
	}
	return &Handle{
		msgs:       make(chan RecvResult, deliveryDepth),
		credit:     make(chan int, 1),
		sendDone:   make(chan struct{}),
		sendCredit: sendBuffer,
	}
}

// Bind names the stream actor the handle talks to.
func (h *Handle) Bind(system *actor.ActorSystem, pid *actor.PID) { h.system, h.pid = system, pid }

// Recv returns the next message or the end (RecvResult.Err: io.EOF or the status). ok is
// false when done closed before anything was delivered (the actor is gone, or the call's
// context ended).
func (h *Handle) Recv(done <-chan struct{}) (r RecvResult, ok bool) {
	if h.end != nil {
		return *h.end, true
	}
	select {
	case r = <-h.msgs:
	default:
		// About to wait: report what was consumed, and make sure the actor delivers.
		h.report()
		select {
		case r = <-h.msgs:
		case <-done:
			select { // what was delivered before the end still counts
			case r = <-h.msgs:
			default:
				return RecvResult{}, false
			}
		}
	}
	if r.last {
		h.end = &r
		return r, true
	}
	h.unreported += r.size
	h.unreportedN++
	if h.unreported >= reportBytes || h.unreportedN >= reportCount {
		h.report()
	}
	return r, true
}

// report tells the actor what was consumed.
func (h *Handle) report() {
	h.system.Root.Send(h.pid, &takeMore{consumed: h.unreported})
	h.unreported, h.unreportedN = 0, 0
}

// errDone says done closed while a send waited for credit.
type errDone struct{}

func (errDone) Error() string { return "stream handle: done while waiting for send credit" }

// Send hands one length-prefixed message to the actor. It waits only while the handle has
// no send credit; it returns the stream's send error once the stream can no longer send,
// and errDone{} if done closed while it waited.
func (h *Handle) Send(data []byte, done <-chan struct{}) error {
	for h.sendCredit <= 0 {
		select {
		case n := <-h.credit:
			h.sendCredit += n
		case <-h.sendDone:
			return h.sendErr
		case <-done:
			return errDone{}
		}
	}
	select {
	case <-h.sendDone:
		return h.sendErr
	default:
	}
	h.sendCredit -= len(data)
	h.system.Root.Send(h.pid, &Send{Data: data, credited: true})
	return nil
}

// Actor side: only the stream actor calls these.

// grant returns n bytes of send credit, merged with any the handle has not taken yet.
func (h *Handle) grant(n int) {
	if n <= 0 {
		return
	}
	select {
	case prev := <-h.credit:
		n += prev
	default:
	}
	h.credit <- n // never blocks: only the actor writes, and the channel is empty now
}

// closeSend makes every later send return err.
func (h *Handle) closeSend(err error) {
	select {
	case <-h.sendDone:
	default:
		h.sendErr = err
		close(h.sendDone)
	}
}
