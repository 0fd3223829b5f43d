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
//	timer fires: calls > 0 → nothing; now − since < timeout → arm for the rest; else → IDLE
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
