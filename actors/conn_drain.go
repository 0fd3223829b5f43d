package actors

import (
	"time"

	"golang.org/x/net/http2"
)

// A graceful drain, as RFC 9113 §6.8 advises and grpc-go does: "A server that is attempting
// to gracefully shut down a connection SHOULD send an initial GOAWAY frame with the last
// stream identifier set to 2^31-1 and a NO_ERROR code. This signals to the client that a
// shutdown is imminent and that initiating further requests is prohibited. After allowing
// time for any in-flight stream creation (at least one round-trip time), the server MAY
// send another GOAWAY frame with an updated last stream identifier."
//
// The round trip is measured with a PING: its ACK (or drainPingTimeout) sends the second
// GOAWAY with the real last stream id. Streams opened before it are served; streams after
// it are refused with REFUSED_STREAM, which tells the client they were never processed.
//
//	serving ──Drain──▶ GOAWAY(2^31−1) + PING ──ACK or timeout──▶ GOAWAY(last id) ──last stream ends──▶ closed

// drainPing is the payload of the PING that measures the drain's round trip.
const drainPing = "gracestp"

// drainPingTimeout bounds the wait for the drain PING's ACK from a client that does not
// answer; the second GOAWAY then goes out anyway.
const drainPingTimeout = 5 * time.Second

// drainPingTimedOut is posted when the drain PING's ACK did not come in time.
type drainPingTimedOut struct{}

func (drainPingTimedOut) connTimerMsg() {}

// drainState is the connection actor's view of a drain in progress.
type drainState struct {
	pinged bool // the first GOAWAY and its PING are out; the ACK is awaited
	reason string
	timer  *time.Timer
}

// startDrain begins a graceful drain (server role): the first GOAWAY and its PING. A
// client connection, or one that already sent its GOAWAY, drains at once.
func (c *conn) startDrain(reason string) {
	if c.dr.pinged || c.sentGoAway || c.draining {
		return
	}
	if c.p.Client {
		c.goAway(http2.ErrCodeNo, reason)
		c.draining = true
		return
	}
	c.check(c.fr.WriteGoAway(maxWindow, http2.ErrCodeNo, []byte(reason)))
	c.check(c.fr.WritePing(false, [8]byte([]byte(drainPing))))
	c.dirty = true
	c.dr = drainState{pinged: true, reason: reason, timer: c.post(drainPingTimeout, drainPingTimedOut{})}
}

// finishDrain sends the second GOAWAY, with the last stream id we processed; the
// connection closes once the streams up to it have ended.
func (c *conn) finishDrain() {
	if !c.dr.pinged {
		return
	}
	c.dr.pinged = false
	if c.dr.timer != nil {
		c.dr.timer.Stop()
	}
	c.goAway(http2.ErrCodeNo, c.dr.reason)
	c.draining = true
}

// stopDrain stops the drain's timer as the actor stops.
func (c *conn) stopDrain() {
	if c.dr.timer != nil {
		c.dr.timer.Stop()
	}
}
