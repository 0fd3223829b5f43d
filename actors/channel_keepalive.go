package actors

import (
	"time"

	"golang.org/x/net/http2"
)

// maxKeepaliveTime caps the doubled ping interval (it stays a valid time.Duration).
const maxKeepaliveTime = time.Duration(1<<63 - 1)

// backOffKeepalive doubles the channel's keepalive ping interval after a server answered
// our pings with GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings"): gRPC's client-side keepalive
// (proposal A8) says the client SHOULD then double its Time. Connections made from now on
// use the new interval.
func (ch *channel) backOffKeepalive(m *GoAwayReceived) {
	ka := &ch.p.Conn.Keepalive
	if m.Code != http2.ErrCodeEnhanceYourCalm || m.Debug != TooManyPings || ka.Time <= 0 {
		return
	}
	if ka.Time > maxKeepaliveTime/2 {
		ka.Time = maxKeepaliveTime
		return
	}
	ka.Time *= 2
}
