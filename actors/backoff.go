package actors

import "time"

// BackoffConfig is gRPC's connection backoff (doc/connection-backoff.md).
type BackoffConfig struct {
	// BaseDelay is the delay after the first failure.
	BaseDelay time.Duration
	// MaxDelay caps the delay.
	MaxDelay time.Duration
	// Multiplier grows the delay after each further failure.
	Multiplier float64
	// Jitter randomises each delay by ±Jitter of itself.
	Jitter float64
	// MinConnectTimeout is the least time a connection attempt is given.
	MinConnectTimeout time.Duration
}

// DefaultBackoff is gRPC's default: 1 s, ×1.6, ±20 %, capped at 120 s; 20 s to connect.
var DefaultBackoff = BackoffConfig{
	BaseDelay:         time.Second,
	MaxDelay:          120 * time.Second,
	Multiplier:        1.6,
	Jitter:            0.2,
	MinConnectTimeout: 20 * time.Second,
}

func (b BackoffConfig) withDefaults() BackoffConfig {
	if b.BaseDelay <= 0 {
		return DefaultBackoff
	}
	if b.MaxDelay < b.BaseDelay {
		b.MaxDelay = b.BaseDelay
	}
	if b.Multiplier < 1 {
		b.Multiplier = 1
	}
	if b.MinConnectTimeout <= 0 {
		b.MinConnectTimeout = DefaultBackoff.MinConnectTimeout
	}
	return b
}

// Delay returns the wait before retry number retries+1 (retries failures so far, from 0).
// rnd returns a uniform value in [0, 1).
func (b BackoffConfig) Delay(retries int, rnd func() float64) time.Duration {
	b = b.withDefaults()
	backoff := float64(b.BaseDelay)
	for ; retries > 0 && backoff < float64(b.MaxDelay); retries-- {
		backoff *= b.Multiplier
	}
	backoff = min(backoff, float64(b.MaxDelay))
	backoff *= 1 + b.Jitter*(rnd()*2-1)
	return max(time.Duration(backoff), 0)
}

// ConnectTimeout is how long one attempt may take: max(MinConnectTimeout, the backoff).
func (b BackoffConfig) ConnectTimeout(backoff time.Duration) time.Duration {
	return max(b.withDefaults().MinConnectTimeout, backoff)
}
