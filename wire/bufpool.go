package wire

import (
	"math/bits"
	"sync"
	"unsafe"
)

// Buffers by power-of-two size, 256 B to 16 MiB, shared by everything that encodes or
// decodes messages into reusable buffers: streamactor's small sends and batches,
// EncodeMessagePooled's large messages and the Decoder's large bodies. (sync.Pool's
// mutex lives inside the pool, at the API edge.)
const (
	bufPoolMinShift = 8
	bufPoolMaxShift = 24
)

// bufPools[i] holds buffers of 1<<(i+bufPoolMinShift) bytes, each as the unsafe.Pointer to
// its first byte: a pointer goes into the pool's interface without an allocation, where a
// *[]byte would need one for every buffer given back.
var bufPools [bufPoolMaxShift - bufPoolMinShift + 1]sync.Pool

// GetBuffer returns a buffer of at least n bytes, its length its capacity: from a pool
// (a power-of-two size) up to 16 MiB, newly made above.
func GetBuffer(n int) []byte {
	if n > 1<<bufPoolMaxShift {
		return make([]byte, n)
	}
	shift := max(bits.Len(uint(n-1)), bufPoolMinShift)
	if p, ok := bufPools[shift-bufPoolMinShift].Get().(unsafe.Pointer); ok {
		return unsafe.Slice((*byte)(p), 1<<shift)
	}
	return make([]byte, 1<<shift)
}

// PutBuffer gives back a buffer GetBuffer returned (b, or any slice of it that starts where
// it starts), once no one refers to it (nor to any slice of it). A buffer of a size no pool
// holds is left to the garbage collector.
func PutBuffer(b []byte) {
	c := cap(b)
	shift := bits.Len(uint(c - 1))
	if c&(c-1) != 0 || shift < bufPoolMinShift || shift > bufPoolMaxShift {
		return
	}
	bufPools[shift-bufPoolMinShift].Put(unsafe.Pointer(unsafe.SliceData(b[:c])))
}
