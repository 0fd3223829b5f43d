package wire

import (
	"math/bits"
	"sync"
)

// Buffers by power-of-two size, 256 B to 16 MiB, shared by everything that encodes or
// decodes messages into reusable buffers: streamactor's small sends and batches,
// EncodeMessagePooled's large messages and the Decoder's large bodies. (sync.Pool's
// mutex lives inside the pool, at the API edge.)
const (
	bufPoolMinShift = 8
	bufPoolMaxShift = 24
)

// bufPools[i] holds *[]byte of len == cap == 1<<(i+bufPoolMinShift).
var bufPools [bufPoolMaxShift - bufPoolMinShift + 1]sync.Pool

// GetBuffer returns a buffer of at least n bytes, its length its capacity: from a pool
// (a power-of-two size) up to 16 MiB, newly made above.
func GetBuffer(n int) *[]byte {
	if n > 1<<bufPoolMaxShift {
		b := make([]byte, n)
		return &b
	}
	shift := max(bits.Len(uint(n-1)), bufPoolMinShift)
	if p, ok := bufPools[shift-bufPoolMinShift].Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, 1<<shift)
	return &b
}

// PutBuffer gives back a buffer GetBuffer returned, once no one refers to it (nor to any
// slice of it). A buffer of a size no pool holds is left to the garbage collector.
func PutBuffer(p *[]byte) {
	c := cap(*p)
	shift := bits.Len(uint(c - 1))
	if c&(c-1) != 0 || shift < bufPoolMinShift || shift > bufPoolMaxShift {
		return
	}
	*p = (*p)[:c]
	bufPools[shift-bufPoolMinShift].Put(p)
}
