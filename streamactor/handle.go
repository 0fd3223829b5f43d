package streamactor

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/actors"
)

// deliveryDepth is how many received messages a stream actor hands its blocking handle
// ahead of the application: the handle takes them without a round trip to the actor.
const deliveryDepth = 32

// reportBytes and reportCount are how much the application consumes before its handle
// tells the stream actor (takeMore), so that the actor returns the window and refills
// the delivery channel about twice per channel's worth.
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
//   - more: the actor found msgs full with more to deliver; a waiting handle reports.
//     A handle about to wait also reports if it holds half the stream's window
//     unreported: the peer may be out of window (the connection itself holds back less
//     than a quarter), so a ping-pong costs no report per message.
//   - with a Lender (LendTo), a waiting handle blocks on the Lender's runs and done alone
//     (waitLent): the actor pokes it (Lender.Poke) after it delivers or signals more from
//     a run on another goroutine. A select over two channels rather than four: about 15%
//     more round trips per second on 64 ping-pong streams between actorrpc peers.
//   - credit: the actor returns send buffer as the connection writes what the handle
//     sent. It holds at most one value; the actor merges what it adds with what is there.
//     A send waits only when the handle has no credit left.
//   - sendDone: closed by the actor once nothing more can be sent; sendErr, written just
//     before, is what a send then returns (a set-once signal at the API edge).
type Handle struct {
	system *actor.ActorSystem
	pid    *actor.PID

	msgs     chan RecvResult
	more     chan struct{}
	credit   chan int
	sendDone chan struct{}
	sendErr  error

	// lender, when set, is the stream actor's dispatcher: a receiving goroutine that waits
	// lends itself to the actor (wait).
	lender *actors.Lender

	// Owned by the receiving goroutine.
	started     bool        // it has reported once: the actor delivers into msgs
	waitReport  int         // unreported bytes that make a waiting handle report
	unreported  int         // wire bytes consumed and not yet reported
	unreportedN int         // messages consumed and not yet reported
	end         *RecvResult // the end, once delivered: every later receive returns it

	// Owned by the sending goroutine.
	sendCredit int // bytes it may hand to the actor before waiting for credit
}

// NewHandle returns the handle of a stream that may have sendBuffer bytes not yet written
// to its connection (DefaultSendBuffer when sendBuffer <= 0) and whose receive window is
// window bytes, as the connection was configured (<= 0: its default, assumed to be
// HTTP/2's initial 65,535 bytes; the connection's is larger, and a smaller guess only
// reports more often). Bind it to the actor before use.
func NewHandle(sendBuffer, window int) *Handle {
	if sendBuffer <= 0 {
		sendBuffer = DefaultSendBuffer
	}
	if window <= 0 {
		window = 65535
	}
	return &Handle{
		msgs:       make(chan RecvResult, deliveryDepth),
		more:       make(chan struct{}, 1),
		credit:     make(chan int, 1),
		sendDone:   make(chan struct{}),
		sendCredit: sendBuffer,
		waitReport: max(window/2, 1),
	}
}

// Bind names the stream actor the handle talks to.
func (h *Handle) Bind(system *actor.ActorSystem, pid *actor.PID) { h.system, h.pid = system, pid }

// LendTo makes a receiving goroutine that waits run the stream actor's messages meanwhile:
// l must be the actor's dispatcher (actors.LentProps), prepared with InitOffer, and no other
// goroutine may lend itself to it.
func (h *Handle) LendTo(l *actors.Lender) { h.lender = l }

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
		// About to wait: make sure the actor delivers, and that the peer is not out of
		// window because of what this handle has not reported.
		if !h.started || h.unreported >= h.waitReport {
			h.report()
		}
		var ok bool
		if r, ok = h.wait(done); !ok {
			return RecvResult{}, false
		}
	}
	if r.last {
		end := r // r itself stays on the stack
		h.end = &end
		return r, true
	}
	h.unreported += r.size
	h.unreportedN++
	if h.unreported >= reportBytes || h.unreportedN >= reportCount {
		h.report()
	}
	return r, true
}

// wait waits for the next delivery. With a Lender it lends the goroutine to the stream
// actor meanwhile (waitLent); without one (a handle not bound to a lent actor) it waits on
// the handle's channels.
func (h *Handle) wait(done <-chan struct{}) (r RecvResult, ok bool) {
	if h.lender != nil {
		return h.waitLent(done)
	}
	for {
		select {
		case r = <-h.msgs:
			return r, true
		case <-h.more:
			h.report()
		case <-done:
			return h.delivered() // what was delivered before the end still counts
		}
	}
}

// waitLent waits for the next delivery, lending the goroutine to the stream actor meanwhile
// (actors.Lender.Offer): what the connection sends the actor then runs here, and the
// message it delivers needs no other goroutine to wake this one.
//
// It blocks on the runs and done alone, a select of two channels rather than four. What it
// would otherwise also wait for, a delivery into msgs or the more signal, comes from a run
// of the stream actor: a run on this goroutine, after which it looks again, or a run that
// began elsewhere before the Offer, which pokes it (inbox.push, Lender.Poke). It looks
// after each Offer, so nothing delivered before the Offer is missed, and anything
// delivered after it pokes.
func (h *Handle) waitLent(done <-chan struct{}) (r RecvResult, ok bool) {
	h.lender.Offer()
	defer h.lender.Withdraw()
	runs := h.lender.Runs()
	for {
		if r, ok = h.delivered(); ok {
			return r, true
		}
		select {
		case <-h.more:
			h.report()
		default:
		}
		select {
		case t := <-runs:
			h.lender.Run(t)
		case <-done:
			return h.delivered() // what was delivered before the end still counts
		}
	}
}

// delivered takes the next delivery if one is there, without waiting.
func (h *Handle) delivered() (RecvResult, bool) {
	select {
	case r := <-h.msgs:
		return r, true
	default:
		return RecvResult{}, false
	}
}

// report tells the actor what was consumed.
func (h *Handle) report() {
	h.system.Root.Send(h.pid, &takeMore{consumed: h.unreported})
	h.started, h.unreported, h.unreportedN = true, 0, 0
}

// errDone says done closed while a send waited for credit.
type errDone struct{}

func (errDone) Error() string { return "stream handle: done while waiting for send credit" }

// Send hands one encoded message to the actor. It waits only while the handle has no send
// credit; it returns the stream's send error once the stream can no longer send, and
// errDone{} if done closed while it waited.
func (h *Handle) Send(o Outgoing, done <-chan struct{}) error {
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
	h.sendCredit -= len(o.Data)
	h.system.Root.Send(h.pid, &Send{Data: o.Data, credited: true, pooled: o.pooled})
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
