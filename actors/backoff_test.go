package actors

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// noJitter makes the jitter factor exactly 1.
func noJitter() float64 { return 0.5 }

func TestBackoffDelayGrowth(t *testing.T) {
	b := DefaultBackoff
	for retries := 0; retries <= 15; retries++ {
		want := min(float64(time.Second)*math.Pow(1.6, float64(retries)), float64(120*time.Second))
		got := b.Delay(retries, noJitter)
		assert.InDelta(t, want, float64(got), float64(time.Microsecond),
			"Delay(%d) = %v; want %v", retries, got, time.Duration(want))
	}
	assert.Equal(t, time.Second, b.Delay(0, noJitter), "Delay(0) = %v; want the base delay 1s", b.Delay(0, noJitter))
	assert.Equal(t, 120*time.Second, b.Delay(11, noJitter), "Delay(11) = %v; want the 120s cap (1.6^11 s > 120 s)", b.Delay(11, noJitter))
	assert.Equal(t, 120*time.Second, b.Delay(1000, noJitter), "Delay(1000) = %v; want the 120s cap", b.Delay(1000, noJitter))
}

func TestBackoffDelayJitter(t *testing.T) {
	b := DefaultBackoff
	tests := []struct {
		name    string
		retries int
		rnd     float64
		want    time.Duration
	}{
		{name: "lowest at base", retries: 0, rnd: 0, want: 800 * time.Millisecond},
		{name: "highest at base", retries: 0, rnd: 1, want: 1200 * time.Millisecond},
		{name: "a quarter at base", retries: 0, rnd: 0.25, want: 900 * time.Millisecond},
		{name: "lowest at cap", retries: 50, rnd: 0, want: 96 * time.Second},
		{name: "highest at cap", retries: 50, rnd: 1, want: 144 * time.Second},
		{name: "lowest after two", retries: 2, rnd: 0, want: time.Duration(0.8 * 2.56 * float64(time.Second))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := b.Delay(tt.retries, func() float64 { return tt.rnd })
			assert.InDelta(t, float64(tt.want), float64(got), float64(time.Microsecond),
				"Delay(%d) with rnd %v = %v; want %v", tt.retries, tt.rnd, got, tt.want)
		})
	}
	// Every value of rnd in [0, 1) stays within ±20 %.
	for i := range 1000 {
		rnd := float64(i) / 1000
		for _, retries := range []int{0, 3, 20} {
			base := b.Delay(retries, noJitter)
			got := b.Delay(retries, func() float64 { return rnd })
			lo, hi := time.Duration(0.8*float64(base)), time.Duration(1.2*float64(base))
			if got < lo-time.Microsecond || got > hi+time.Microsecond {
				t.Fatalf("Delay(%d) with rnd %v = %v; want within [%v, %v]", retries, rnd, got, lo, hi)
			}
		}
	}
}

func TestBackoffConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   BackoffConfig
		want time.Duration // Delay(1) with no jitter
	}{
		{name: "zero config is gRPC's default", in: BackoffConfig{}, want: 1600 * time.Millisecond},
		{name: "multiplier below 1 does not shrink", in: BackoffConfig{BaseDelay: time.Second, MaxDelay: time.Minute, Multiplier: 0.5}, want: time.Second},
		{name: "max below base caps at base", in: BackoffConfig{BaseDelay: time.Second, MaxDelay: time.Millisecond, Multiplier: 2}, want: time.Second},
		{name: "custom", in: BackoffConfig{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, Multiplier: 2}, want: 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Delay(1, noJitter)
			assert.InDelta(t, float64(tt.want), float64(got), float64(time.Microsecond), "Delay(1) = %v; want %v", got, tt.want)
		})
	}
}

func TestBackoffConnectTimeout(t *testing.T) {
	tests := []struct {
		name    string
		b       BackoffConfig
		backoff time.Duration
		want    time.Duration
	}{
		{name: "default minimum wins", b: DefaultBackoff, backoff: time.Second, want: 20 * time.Second},
		{name: "longer backoff wins", b: DefaultBackoff, backoff: 100 * time.Second, want: 100 * time.Second},
		{name: "zero config uses the default minimum", b: BackoffConfig{}, backoff: 0, want: 20 * time.Second},
		{name: "custom minimum", b: BackoffConfig{BaseDelay: time.Millisecond, MinConnectTimeout: time.Second}, backoff: time.Millisecond, want: time.Second},
		{name: "unset minimum on a custom config", b: BackoffConfig{BaseDelay: time.Millisecond}, backoff: time.Millisecond, want: 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.b.ConnectTimeout(tt.backoff)
			assert.Equal(t, tt.want, got, "ConnectTimeout(%v) = %v; want %v", tt.backoff, got, tt.want)
		})
	}
}
