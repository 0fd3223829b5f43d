package actors

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2"
)

// Keepalive, as gRPC's keepalive spec (doc/keepalive.md, proposals A8 and A9) and grpc-go
// name it. Every timer here is a time.AfterFunc that posts a keepaliveMsg to the
// connection actor; the actor alone reads and writes the keepalive state.

// KeepaliveConfig configures pings and connection lifetimes. Zero durations take the
// defaults of the connection's role (see withDefaults).
type KeepaliveConfig struct {
	// Time is how long the connection may go without reading anything before it sends a
	// PING (client: 0 disables pings; server default 2 h).
	Time time.Duration
	// Timeout is how long a PING may wait for any read before the connection is closed as
	// dead (default 20 s).
	Timeout time.Duration
	// PermitWithoutStream lets a client ping while it has no streams.
	PermitWithoutStream bool

	// MinTime is the shortest interval between a client's PINGs that a server tolerates
	// (default 5 min); PolicyPermitWithoutStream lets a client ping without streams.
	MinTime                   time.Duration
	PolicyPermitWithoutStream bool

	// MaxConnectionIdle: a server connection without streams for this long is drained
	// with GOAWAY(NO_ERROR, "max_idle"). 0: never.
	MaxConnectionIdle time.Duration
	// MaxConnectionAge: a server connection is drained with GOAWAY(NO_ERROR, "max_age")
	// this long (±10 %) after it opened, then closed MaxConnectionAgeGrace later. 0: never.
	MaxConnectionAge      time.Duration
	MaxConnectionAgeGrace time.Duration
}

const (
	defaultKeepaliveTimeout    = 20 * time.Second
	defaultServerKeepaliveTime = 2 * time.Hour
	defaultPolicyMinTime       = 5 * time.Minute
	// pingWithoutStreamInterval is how often a client that may not ping without streams
	// can ping then without a strike (grpc-go's defaultPingTimeout).
	pingWithoutStreamInterval = 2 * time.Hour
	// maxPingStrikes is how many early PINGs a server forgives (grpc-go's maxPingStrikes).
	maxPingStrikes = 2
	// TooManyPings is the GOAWAY debug data of a server whose client pinged too often.
	TooManyPings = "too_many_pings"
)

func (k KeepaliveConfig) withDefaults(client bool) KeepaliveConfig {
	if k.Time <= 0 && !client {
		k.Time = defaultServerKeepaliveTime
	}
	if k.Timeout <= 0 {
		k.Timeout = defaultKeepaliveTimeout
	}
	if k.MinTime <= 0 {
		k.MinTime = defaultPolicyMinTime
	}
	return k
}

// connTimerMsg is the sealed set of messages the connection's timers post (keepalive, drain).
type connTimerMsg interface{ connTimerMsg() }

// keepaliveFired: time to look at the ping state (gen tells stale timers apart).
type keepaliveFired struct{ gen uint64 }

// idleCheck: time to see whether the connection has been idle for MaxConnectionIdle.
type idleCheck struct{}

// ageReached: the connection is MaxConnectionAge old.
type ageReached struct{}

// ageGraceOver: MaxConnectionAgeGrace has passed since the age GOAWAY.
type ageGraceOver struct{}

func (keepaliveFired) connTimerMsg() {}
func (idleCheck) connTimerMsg()      {}
func (ageReached) connTimerMsg()     {}
func (ageGraceOver) connTimerMsg()   {}

// keepalive is the connection actor's keepalive state; only the actor touches it.
type keepalive struct {
	cfg         KeepaliveConfig
	gen         uint64
	pingTimer   *time.Timer
	lastRead    time.Time
	outstanding bool // our PING waits for an answer
	pingSentAt  time.Time

	// Server: the enforcement policy's view of the client's pings.
	lastPingAt   time.Time
	strikes      int
	resetStrikes bool // we sent HEADERS or DATA since the client's last PING

	idleSince  time.Time
	idleTimer  *time.Timer
	ageTimer   *time.Timer
	graceTimer *time.Timer
}

// post returns a timer that posts msg to the connection actor after d.
func (c *conn) post(d time.Duration, msg connTimerMsg) *time.Timer {
	system, self := c.system, c.self
	return time.AfterFunc(d, func() { system.Root.Send(self, msg) })
}

// startKeepalive arms the timers the configuration asks for.
func (c *conn) startKeepalive() {
	k := &c.ka
	k.cfg = c.cfg.Keepalive.withDefaults(c.p.Client)
	now := time.Now()
	k.lastRead, k.idleSince = now, now
	if k.cfg.Time > 0 {
		c.armPing(k.cfg.Time)
	}
	if c.p.Client {
		return
	}
	if k.cfg.MaxConnectionIdle > 0 {
		k.idleTimer = c.post(k.cfg.MaxConnectionIdle, idleCheck{})
	}
	if k.cfg.MaxConnectionAge > 0 {
		// ±10 % jitter, as grpc-go, so that connections opened together do not all
		// reconnect together.
		age := k.cfg.MaxConnectionAge
		age += time.Duration((rand.Float64()*0.2 - 0.1) * float64(age))
		k.ageTimer = c.post(age, ageReached{})
	}
}

// stopKeepalive stops every keepalive timer; their messages, if already posted, are
// ignored by a stopped actor.
func (c *conn) stopKeepalive() {
	c.stopDrain()
	for _, t := range []*time.Timer{c.ka.pingTimer, c.ka.idleTimer, c.ka.ageTimer, c.ka.graceTimer} {
		if t != nil {
			t.Stop()
		}
	}
}

func (c *conn) armPing(d time.Duration) {
	if c.ka.pingTimer != nil {
		c.ka.pingTimer.Stop()
	}
	c.ka.gen++
	c.ka.pingTimer = c.post(d, keepaliveFired{gen: c.ka.gen})
}

// noteRead records that the peer sent something: it is alive.
func (c *conn) noteRead() {
	if c.ka.cfg.Time > 0 {
		c.ka.lastRead = time.Now()
	}
}

// noteDataSent records HEADERS or DATA sent: the client's next PING costs no strike.
func (c *conn) noteDataSent() { c.ka.resetStrikes = true }

// noteStreamForgotten starts the idle clock when the last stream ends.
func (c *conn) noteStreamForgotten() {
	if len(c.streams) == 0 && c.ka.cfg.MaxConnectionIdle > 0 {
		c.ka.idleSince = time.Now()
	}
}

// onKeepalive handles the keepalive timers' messages.
func (c *conn) onKeepalive(ctx actor.Context, m connTimerMsg) {
	if c.closing || c.closeErr != nil {
		return
	}
	switch m := m.(type) {
	case keepaliveFired:
		if m.gen == c.ka.gen {
			c.keepaliveFired(ctx)
		}
	case idleCheck:
		c.checkIdle()
	case ageReached:
		c.startDrain("max_age")
		if g := c.ka.cfg.MaxConnectionAgeGrace; g > 0 {
			c.ka.graceTimer = c.post(g, ageGraceOver{})
		}
	case drainPingTimedOut:
		c.finishDrain()
	case ageGraceOver:
		c.closeErr = fmt.Errorf("server closed the connection: MaxConnectionAgeGrace (%v) after MaxConnectionAge", c.ka.cfg.MaxConnectionAgeGrace)
		ctx.Stop(c.self)
	}
}

// keepaliveFired: "ping after Time without reads, close after Timeout without the ACK".
// Any read after the PING proves the peer alive, as in grpc-go.
func (c *conn) keepaliveFired(ctx actor.Context) {
	k := &c.ka
	now := time.Now()
	if k.outstanding {
		if !k.lastRead.After(k.pingSentAt) {
			c.keepaliveDead(ctx)
			return
		}
		k.outstanding = false
	}
	if idle := now.Sub(k.lastRead); idle < k.cfg.Time {
		c.armPing(k.cfg.Time - idle)
		return
	}
	if c.p.Client && len(c.streams) == 0 && !k.cfg.PermitWithoutStream {
		c.armPing(k.cfg.Time) // dormant: nothing to keep alive
		return
	}
	c.check(c.fr.WritePing(false, [8]byte{'k', 'e', 'e', 'p', 'a', 'l', 'i', 'v'}))
	c.dirty = true
	k.outstanding, k.pingSentAt = true, now
	c.armPing(k.cfg.Timeout)
}

// onPingAck: the answer to our keepalive PING, or to the PING of a drain.
func (c *conn) onPingAck(data []byte) {
	if c.dr.pinged && string(data) == drainPing {
		c.finishDrain()
		return
	}
	if c.ka.outstanding {
		c.ka.outstanding = false
		c.armPing(c.ka.cfg.Time)
	}
}

// keepaliveDead closes a connection whose peer did not answer in time. The socket is
// closed first: a dead peer may never read, and nothing more can reach it.
func (c *conn) keepaliveDead(ctx actor.Context) {
	side := "server"
	if !c.p.Client {
		side = "client"
	}
	c.closeErr = fmt.Errorf("keepalive ping not acknowledged within %v: the %s is unreachable", c.ka.cfg.Timeout, side)
	_ = c.p.NetConn.Close()
	ctx.Stop(c.self)
}

// pingTooSoon applies the server's enforcement policy to a client's PING, as grpc-go
// does: a PING sooner than MinTime after the last one (2 h when there are no streams and
// the policy does not permit pings without streams) is a strike, unless we sent HEADERS
// or DATA since; more than maxPingStrikes strikes end the connection with
// GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings"). It reports whether the connection ends.
func (c *conn) pingTooSoon(ctx actor.Context) bool {
	k := &c.ka
	now := time.Now()
	defer func() { k.lastPingAt = now }()
	if k.resetStrikes {
		k.resetStrikes, k.strikes = false, 0
		return false
	}
	interval := k.cfg.MinTime
	if len(c.streams) == 0 && !k.cfg.PolicyPermitWithoutStream {
		interval = pingWithoutStreamInterval
	}
	if !k.lastPingAt.IsZero() && k.lastPingAt.Add(interval).After(now) {
		k.strikes++
	}
	if k.strikes <= maxPingStrikes {
		return false
	}
	c.goAway(http2.ErrCodeEnhanceYourCalm, TooManyPings)
	c.closeErr = errors.New("client sent too many pings: GOAWAY(ENHANCE_YOUR_CALM, too_many_pings)")
	ctx.Stop(c.self)
	return true
}

// checkIdle drains a server connection that has had no stream for MaxConnectionIdle.
func (c *conn) checkIdle() {
	limit := c.ka.cfg.MaxConnectionIdle
	if len(c.streams) > 0 {
		c.ka.idleTimer = c.post(limit, idleCheck{})
		return
	}
	if idle := time.Since(c.ka.idleSince); idle < limit {
		c.ka.idleTimer = c.post(limit-idle, idleCheck{})
		return
	}
	c.startDrain("max_idle")
}
