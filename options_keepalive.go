package actorrpc

import "time"

// KeepaliveClientParams configures a Channel's keepalive pings (grpc-go's
// keepalive.ClientParameters).
type KeepaliveClientParams struct {
	// Time is how long the connection may read nothing before the client sends a PING.
	// Values under 10 s become 10 s, as in grpc-go. Zero disables keepalive.
	Time time.Duration
	// Timeout is how long the PING may go unanswered (nothing read) before the connection
	// is closed as dead and its calls end UNAVAILABLE (default 20 s).
	Timeout time.Duration
	// PermitWithoutStream makes the client ping even when no call is in flight.
	PermitWithoutStream bool
}

// KeepaliveServerParams configures a Server's connection lifetimes and keepalive pings
// (grpc-go's keepalive.ServerParameters). Zero durations mean "never", except Time
// (default 2 h) and Timeout (default 20 s).
type KeepaliveServerParams struct {
	// MaxConnectionIdle drains a connection without calls for this long: GOAWAY(NO_ERROR,
	// "max_idle").
	MaxConnectionIdle time.Duration
	// MaxConnectionAge drains a connection this long (±10 %) after it opened:
	// GOAWAY(NO_ERROR, "max_age").
	MaxConnectionAge time.Duration
	// MaxConnectionAgeGrace is how long calls may still run after the age GOAWAY before
	// the connection is closed.
	MaxConnectionAgeGrace time.Duration
	// Time is how long a connection may read nothing before the server pings the client
	// (minimum 1 s).
	Time time.Duration
	// Timeout is how long that PING may go unanswered before the connection is closed.
	Timeout time.Duration
}

// KeepalivePolicy is the Server's keepalive enforcement policy (grpc-go's
// keepalive.EnforcementPolicy): a client that pings more often than it allows gets
// GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings") and its connection is closed.
type KeepalivePolicy struct {
	// MinTime is the shortest interval between a client's PINGs the server tolerates
	// (default 5 min). Pings right after the server sent headers or data are free.
	MinTime time.Duration
	// PermitWithoutStream allows pings while the client has no call in flight; otherwise
	// such pings are tolerated once every 2 h.
	PermitWithoutStream bool
}

// minClientKeepaliveTime and minServerKeepaliveTime are grpc-go's floors.
const (
	minClientKeepaliveTime = 10 * time.Second
	minServerKeepaliveTime = time.Second
)

// WithKeepaliveParams makes the Channel ping its server after kp.Time without reads and
// close the connection after kp.Timeout without an answer: a silently dead peer is found
// within Time + Timeout. If the server answers GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings"),
// the Channel doubles Time for its next connections.
func WithKeepaliveParams(kp KeepaliveClientParams) DialOption {
	return dialOptionFunc(func(d *dialOptions) {
		if kp.Time > 0 && kp.Time < minClientKeepaliveTime {
			kp.Time = minClientKeepaliveTime
		}
		ka := &d.conn.Keepalive
		ka.Time, ka.Timeout, ka.PermitWithoutStream = kp.Time, kp.Timeout, kp.PermitWithoutStream
	})
}

// KeepaliveParams sets the Server's connection lifetimes and keepalive pings.
func KeepaliveParams(kp KeepaliveServerParams) ServerOption {
	return serverOptionFunc(func(s *serverOptions) {
		if kp.Time > 0 && kp.Time < minServerKeepaliveTime {
			kp.Time = minServerKeepaliveTime
		}
		ka := &s.conn.Keepalive
		ka.Time, ka.Timeout = kp.Time, kp.Timeout
		ka.MaxConnectionIdle, ka.MaxConnectionAge, ka.MaxConnectionAgeGrace = kp.MaxConnectionIdle, kp.MaxConnectionAge, kp.MaxConnectionAgeGrace
	})
}

// KeepaliveEnforcementPolicy sets how often the Server lets clients ping.
func KeepaliveEnforcementPolicy(p KeepalivePolicy) ServerOption {
	return serverOptionFunc(func(s *serverOptions) {
		s.conn.Keepalive.MinTime, s.conn.Keepalive.PolicyPermitWithoutStream = p.MinTime, p.PermitWithoutStream
	})
}
