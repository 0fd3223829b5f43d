// Package attempttest fakes a channel actor and two connection actors, for tests of how a
// client call actor retries a stream the server never processed (actors.RetryCall): the
// channel spawns the call as its child and answers every retry with the second
// connection; each connection records the opens it receives. The first connection never
// answers an open (it is going away: the test says what it answers, and when); the second
// answers each open as opened.
package attempttest

import (
	"errors"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/wire"
)

// waitFor bounds each wait, so that a failing test fails rather than hangs.
const waitFor = 10 * time.Second

// World is the fake channel and its two connections.
type World struct {
	System  *actor.ActorSystem
	Channel *actor.PID
	// Conn1 is the connection the call starts on; Conn2 is the one every retry gets.
	Conn1, Conn2 *actor.PID
	// opens receives the connection of each OpenStream, as it arrives.
	opens chan *actor.PID
	// retries receives each RetryCall.
	retries chan struct{}
}

// spawnChild asks the fake channel to spawn a call as its child.
type spawnChild struct {
	props *actor.Props
	reply chan *actor.PID
}

// syncChannel is answered once the fake channel handled what came before it.
type syncChannel struct{ reply chan struct{} }

// New starts the fake channel and connections in an actor system of their own.
func New() *World {
	w := &World{System: actors.NewSystem(), opens: make(chan *actor.PID, 16), retries: make(chan struct{}, 16)}
	w.Conn1 = w.System.Root.Spawn(actor.PropsFromFunc(w.conn(false)))
	w.Conn2 = w.System.Root.Spawn(actor.PropsFromFunc(w.conn(true)))
	w.Channel = w.System.Root.Spawn(actor.PropsFromFunc(w.channel))
	return w
}

// conn is a fake connection's Receive: it records each OpenStream, and answers it as
// opened if answers is set.
func (w *World) conn(answers bool) actor.ReceiveFunc {
	var next uint32 = 1
	return func(ctx actor.Context) {
		if _, ok := ctx.Message().(*actors.OpenStream); !ok {
			return
		}
		w.opens <- ctx.Self()
		if answers {
			ctx.Respond(&actors.StreamOpened{StreamID: next})
			next += 2
		}
	}
}

// channel is the fake channel's Receive.
func (w *World) channel(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *spawnChild:
		m.reply <- ctx.Spawn(m.props)
	case *syncChannel:
		m.reply <- struct{}{}
	case *actors.RetryCall:
		w.retries <- struct{}{}
		ctx.Send(m.Call, &actors.ConnectionPicked{Conn: w.Conn2})
	}
}

// Spawn starts a call actor as the fake channel's child (a retry asks its parent).
func (w *World) Spawn(t *testing.T, props *actor.Props) *actor.PID {
	t.Helper()
	reply := make(chan *actor.PID, 1)
	w.System.Root.Send(w.Channel, &spawnChild{props: props, reply: reply})
	return wait(t, reply, "the call's spawn")
}

// WaitOpen waits for the next OpenStream and fails t unless it reached conn.
func (w *World) WaitOpen(t *testing.T, conn *actor.PID) {
	t.Helper()
	got := wait(t, w.opens, "an OpenStream")
	if !got.Equal(conn) {
		t.Fatalf("OpenStream reached %s; want %s", got.Id, conn.Id)
	}
}

// Settle waits until the fake channel has handled every message sent to it before: a
// RetryCall the call sent before it ended is counted after Settle.
func (w *World) Settle(t *testing.T) {
	t.Helper()
	reply := make(chan struct{}, 1)
	w.System.Root.Send(w.Channel, &syncChannel{reply: reply})
	wait(t, reply, "the fake channel")
}

// LoseConn1 tells call, which opened on Conn1, that Conn1 is lost (as the channel does), and
// waits for its retry's open on Conn2.
func (w *World) LoseConn1(t *testing.T, call *actor.PID) {
	t.Helper()
	w.WaitOpen(t, w.Conn1)
	w.System.Root.Send(call, &actors.ConnectionLost{Conn: w.Conn1, Err: errors.New("connection lost")})
	w.WaitOpen(t, w.Conn2)
}

// RequireOneRetry fails t unless the call, now ended, retried once and opened nothing more.
func (w *World) RequireOneRetry(t *testing.T) {
	t.Helper()
	w.Settle(t)
	if n := w.Retries(); n != 1 {
		t.Errorf("%d retries; want 1: the earlier attempt's answer started another", n)
	}
	if n := w.UnwaitedOpens(); n != 0 {
		t.Errorf("%d more opens: the call was opened again", n)
	}
}

// Retries is how many RetryCalls the channel received.
func (w *World) Retries() int { return len(w.retries) }

// UnwaitedOpens is how many OpenStreams arrived that WaitOpen did not take.
func (w *World) UnwaitedOpens() int { return len(w.opens) }

// StaleAnswer is an answer to a call's open that the first connection may send after the
// call already moved to the second (ConnectionLost came first).
type StaleAnswer struct {
	Name string
	Msg  func(w *World) any
}

// StaleAnswers are the late answers of a connection that stopped with an open in its
// mailbox: the reset it answers the open with as it stops, and the dead letter protoactor
// sends when the open reached it once it was gone.
var StaleAnswers = []StaleAnswer{
	{"the lost connection's reset of the open", func(w *World) any {
		return &actors.StreamReset{Unprocessed: true, Conn: w.Conn1,
			Status: wire.NewStatus(wire.Unavailable, "connection closed before the stream was opened")}
	}},
	{"a dead letter of the open sent to the lost connection", func(w *World) any {
		return &actor.DeadLetterResponse{Target: w.Conn1}
	}},
}

// Stop stops the fake actors.
func (w *World) Stop() {
	for _, pid := range []*actor.PID{w.Channel, w.Conn1, w.Conn2} {
		_ = w.System.Root.StopFuture(pid).Wait()
	}
}

// wait receives from ch, failing t rather than hanging if nothing comes.
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
