package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGetBufferSizes(t *testing.T) {
	tests := []struct {
		n       int
		wantCap int
	}{
		{n: 1, wantCap: 256},
		{n: 256, wantCap: 256},
		{n: 257, wantCap: 512},
		{n: 1 << 16, wantCap: 1 << 16},
		{n: 1<<24 - 1, wantCap: 1 << 24},
		{n: 1<<24 + 1, wantCap: 1<<24 + 1}, // above the pools: made to size
	}
	for _, tt := range tests {
		b := GetBuffer(tt.n)
		assert.Equal(t, tt.wantCap, cap(b), "GetBuffer(%d): got cap %d; want %d", tt.n, cap(b), tt.wantCap)
		assert.Len(t, b, cap(b), "GetBuffer(%d): its length is its capacity", tt.n)
		PutBuffer(b)
	}
}

func TestPutBufferGivesBackWholeBuffers(t *testing.T) {
	b := GetBuffer(1000)
	b[0] = 42
	PutBuffer(b[:0]) // as a user appending into it would: its full length comes back
	got := GetBuffer(1000)
	assert.Len(t, got, 1024, "a buffer comes back with its full length")
	PutBuffer(make([]byte, 1000)) // no pool's size: left alone
}

func TestReleaseBufferAllocatesNothing(t *testing.T) {
	b := GetBuffer(2048)
	allocs := testing.AllocsPerRun(100, func() {
		ReleaseBuffer(b)
		b = GetBuffer(2048)
	})
	assert.Zero(t, allocs, "allocations per release and get of a pooled buffer")
}
