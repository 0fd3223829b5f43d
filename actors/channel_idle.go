package actors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// The idle timeout (gRPC's connectivity-semantics-and-api.md: "IDLE: ... channels may also
// transition to IDLE after a period of inactivity"; grpc-go's WithIdleTimeout): after
// ChannelParams.IdleTimeout with no live call, the channel closes its connection (or the
// attempt in progress) and moves to IDLE; the next call connects again.
//
//	calls 1→0 (or Connect without calls): since = now, arm a timer unless one is pending
//	timer fires: calls > 0 → nothing; now − since < timeout → arm for the rest;
//	             READY → ask the connection (idleQuery); else → IDLE
//	idleReport:  streams open → since = now, arm for timeout; else since = max(since, when
//	             the last stream ended), then as when the timer fires
//
// One timer at most is pending, so calls that come and go do not start or stop timers.

// idleTimedOut is posted by the idle timer.
type idleTimedOut struct{}

// idleState is the channel's count of live calls and its idle timer.
type idleState struct {
	calls int         // call children not yet stopped
	since time.Time   // when the channel last had no call
	timer *time.Timer // pending, or nil
}

// callEnded counts a call child that stopped.
func (ch *channel) callEnded(ctx actor.Context) {
	ch.idle.calls--
	if ch.idle.calls == 0 {
		ch.noCalls(ctx)
	}
}

// noCalls starts the idle period of a channel that is not IDLE and has no call.
func (ch *channel) noCalls(ctx actor.Context) {
	if ch.p.IdleTimeout <= 0 || ch.state == Idle || ch.state == Shutdown {
		return
	}
	ch.idle.since = time.Now()
	if ch.idle.timer == nil {
		ch.armIdle(ctx, ch.p.IdleTimeout)
	}
}

func (ch *channel) armIdle(ctx actor.Context, d time.Duration) {
	system, self := ctx.ActorSystem(), ch.self
	ch.idle.timer = time.AfterFunc(d, func() { system.Root.Send(self, &idleTimedOut{}) })
}

func (ch *channel) onIdleTimeout(ctx actor.Context) {
	ch.idle.timer = nil
	if ch.idle.calls > 0 || ch.state == Idle || ch.state == Shutdown {
		return
	}
	if rest := ch.p.IdleTimeout - time.Since(ch.idle.since); rest > 0 {
		ch.armIdle(ctx, rest)
		return
	}
	if ch.state == Ready && ch.conn != nil {
		// Unary calls open their streams on a READY connection directly (conn_direct.go):
		// it knows whether it carried any.
		ctx.Request(ch.conn, &idleQuery{})
		return
	}
	ch.enterIdle(ctx)
}

// onIdleReport ends the idle timeout the connection was asked about: a busy connection
// starts a new period, one whose last stream ended less than the timeout ago waits for the
// rest, an unused one goes IDLE.
func (ch *channel) onIdleReport(ctx actor.Context, m *idleReport) {
	if m.conn != ch.conn || ch.state != Ready || ch.idle.calls > 0 || ch.idle.timer != nil {
		return // things moved on: whatever changed armed the timer again if needed
	}
	if m.busy {
		ch.idle.since = time.Now()
		ch.armIdle(ctx, ch.p.IdleTimeout)
		return
	}
	if m.since.After(ch.idle.since) {
		ch.idle.since = m.since
	}
	if rest := ch.p.IdleTimeout - time.Since(ch.idle.since); rest > 0 {
		ch.armIdle(ctx, rest)
		return
	}
	ch.enterIdle(ctx)
}

// enterIdle closes the connection (GOAWAY(NO_ERROR), then the socket) or abandons the
// attempt in progress, and moves to IDLE.
func (ch *channel) enterIdle(ctx actor.Context) {
	ch.stopTimer()
	if ch.dialCancel != nil {
		// The dial's late result is closed by onDialDone (the state is no longer CONNECTING),
		// or by shutdown, which still reads ch.dialing.
		ch.dialCancel()
	}
	if ch.conn != nil {
		if ch.handshaking != nil {
			ch.closeHandshaking()
			ctx.Stop(ch.conn)
		} else {
			ctx.Send(ch.conn, &CloseConn{Reason: "client channel idle"})
		}
		ch.conn = nil
	}
	ch.retries = 0
	ch.setState(ctx, Idle, fmt.Errorf("idle for %v", ch.p.IdleTimeout))
}

// stopIdle stops the idle timer as the channel shuts down.
func (ch *channel) stopIdle() {
	if ch.idle.timer != nil {
		ch.idle.timer.Stop()
		ch.idle.timer = nil
	}
}
