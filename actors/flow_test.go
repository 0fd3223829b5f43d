package actors

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFlowInTake(t *testing.T) {
	tests := []struct {
		name       string
		window     int64
		n          int64
		want       bool
		wantWindow int64
	}{
		{name: "within", window: 100, n: 60, want: true, wantWindow: 40},
		{name: "exactly the window", window: 100, n: 100, want: true, wantWindow: 0},
		{name: "zero bytes on an empty window", window: 0, n: 0, want: true, wantWindow: 0},
		{name: "one past the window", window: 100, n: 101, want: false, wantWindow: 100},
		{name: "anything on an empty window", window: 0, n: 1, want: false, wantWindow: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := flowIn{window: tt.window}
			got := f.take(tt.n)
			assert.Equal(t, tt.want, got, "take(%d) on window %d = %v; want %v", tt.n, tt.window, got, tt.want)
			assert.Equal(t, tt.wantWindow, f.window, "window after take(%d) = %d; want %d", tt.n, f.window, tt.wantWindow)
		})
	}
}

func TestFlowInConsume(t *testing.T) {
	// full 1000: an update goes out once 250 bytes (a quarter) are owed.
	const full = 1000
	f := flowIn{window: full}
	steps := []struct {
		n          int64
		wantInc    uint32
		wantWindow int64
	}{
		{n: 100, wantInc: 0, wantWindow: 900},
		{n: 149, wantInc: 0, wantWindow: 751},
		{n: 1, wantInc: 250, wantWindow: 1000},
		{n: 600, wantInc: 600, wantWindow: 1000},
		{n: 10, wantInc: 0, wantWindow: 990},
	}
	for i, s := range steps {
		if !f.take(s.n) {
			t.Fatalf("step %d: take(%d) failed on window %d; want room", i, s.n, f.window)
		}
		inc := f.consume(s.n, full)
		assert.Equal(t, s.wantInc, inc, "step %d: consume(%d) = %d; want %d", i, s.n, inc, s.wantInc)
		assert.Equal(t, s.wantWindow, f.window, "step %d: window = %d; want %d", i, f.window, s.wantWindow)
	}
	// The window never exceeds what was announced: granted plus unacked equals full.
	assert.Equal(t, int64(full), f.window+f.unacked, "window %d + unacked %d; want %d", f.window, f.unacked, full)
}
