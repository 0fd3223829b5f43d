package wire

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGzipRoundTrip(t *testing.T) {
	require.Equal(t, "gzip", Gzip.Name())
	for _, in := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("abc"), 100000)} {
		c, err := Gzip.Compress([]byte("pre"), in)
		require.NoError(t, err)
		assert.Equal(t, "pre", string(c[:3]), "Compress appends to dst")
		out, err := Gzip.Decompress([]byte("p"), c[3:], len(in)+1)
		require.NoError(t, err)
		assert.Equal(t, append([]byte("p"), in...), out)
		out, err = Gzip.Decompress(nil, c[3:], len(in))
		require.NoError(t, err, "exactly maxSize is allowed")
		assert.Len(t, out, len(in))
	}
}

func TestGzipDecompressLimits(t *testing.T) {
	bomb, err := Gzip.Compress(nil, make([]byte, 10<<20))
	require.NoError(t, err)
	out, err := Gzip.Decompress([]byte("keep"), bomb, 1<<20)
	require.Error(t, err)
	assert.Equal(t, ResourceExhausted, CodeOf(err), "got %v; want RESOURCE_EXHAUSTED", err)
	assert.Equal(t, "keep", string(out), "dst is returned unchanged on error")

	_, err = Gzip.Decompress(nil, []byte("not gzip"), 100)
	assert.Equal(t, Internal, CodeOf(err))
	c, err := Gzip.Compress(nil, []byte("hello world"))
	require.NoError(t, err)
	_, err = Gzip.Decompress(nil, c[:len(c)-3], 100)
	assert.Equal(t, Internal, CodeOf(err), "truncated input")
}

func TestCompressorByName(t *testing.T) {
	assert.Equal(t, Gzip, CompressorByName("gzip"))
	assert.Nil(t, CompressorByName(""))
	assert.Nil(t, CompressorByName("identity"))
	assert.Nil(t, CompressorByName("snappy"))
	assert.Equal(t, "gzip", AcceptEncodingHeader("gzip"))
	assert.Equal(t, "gzip,deflate", AcceptEncodingHeader("gzip", "deflate"))
	assert.Equal(t, "", AcceptEncodingHeader())
}

// TestGzipBombAllocatesNoMoreThanTheLimit inflates 64 MiB of zeros (64 KiB compressed)
// under a 1 MiB limit: it fails with RESOURCE_EXHAUSTED having allocated about the limit,
// not the bomb's size.
func TestGzipBombAllocatesNoMoreThanTheLimit(t *testing.T) {
	bomb, err := Gzip.Compress(nil, make([]byte, 64<<20))
	require.NoError(t, err)
	require.Less(t, len(bomb), 128<<10)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = Gzip.Decompress(nil, bomb, 1<<20)
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Equal(t, ResourceExhausted, CodeOf(err))
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(4<<20), "got %d bytes allocated; want about the 1 MiB limit", allocated)
}
