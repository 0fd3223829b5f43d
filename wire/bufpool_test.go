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
		p := GetBuffer(tt.n)
		assert.Equal(t, tt.wantCap, cap(*p), "GetBuffer(%d): got cap %d; want %d", tt.n, cap(*p), tt.wantCap)
		assert.Len(t, *p, cap(*p), "GetBuffer(%d): its length is its capacity", tt.n)
		PutBuffer(p)
	}
}

func TestPutBufferRestoresTheLength(t *testing.T) {
	p := GetBuffer(1000)
	*p = (*p)[:0] // as a user appending into it would
	PutBuffer(p)
	assert.Len(t, *p, 1024, "a buffer goes back with its full length")
	odd := make([]byte, 1000)
	PutBuffer(&odd) // no pool's size: left alone
	assert.Len(t, odd, 1000)
}
