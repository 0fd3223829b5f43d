package actorrpc

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2/hpack"
)

// TestRequestHeadersCache checks that calls without metadata or deadline share one built
// header list per method, that it equals a fresh build, and that other calls bypass it.
func TestRequestHeadersCache(t *testing.T) {
	ch, err := Dial("127.0.0.1:1") // never connects: no call is made
	require.NoError(t, err)
	defer ch.Close()

	withDeadline, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	tests := []struct {
		name       string
		ctx        context.Context
		method     string
		compressor string
		wantCached bool
	}{
		{name: "plain call", ctx: context.Background(), method: "/pkg.S/A", wantCached: true},
		{name: "another method", ctx: context.Background(), method: "/pkg.S/B", wantCached: true},
		{name: "metadata", ctx: AppendOutgoing(context.Background(), "k", "v"), method: "/pkg.S/A"},
		{name: "deadline", ctx: withDeadline, method: "/pkg.S/A"},
		{name: "compressed", ctx: context.Background(), method: "/pkg.S/A", compressor: "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, _, _, err := ch.requestHeaders(tt.ctx, tt.method, tt.compressor)
			require.NoError(t, err)
			second, _, _, err := ch.requestHeaders(tt.ctx, tt.method, tt.compressor)
			require.NoError(t, err)
			assert.Equal(t, tt.wantCached, &first[0] == &second[0], "second call shares the first's list")
			assert.Equal(t, withoutTimeout(first), withoutTimeout(second)) // the time left moves on
			if tt.wantCached {
				assert.Equal(t, len(second), cap(second), "a cached list has no room to append into")
			}
			assert.Contains(t, second, hpack.HeaderField{Name: ":path", Value: tt.method})
		})
	}
}

func TestRequestHeadersCacheInvalidMethod(t *testing.T) {
	ch, err := Dial("127.0.0.1:1")
	require.NoError(t, err)
	defer ch.Close()
	for range 2 {
		_, _, _, err := ch.requestHeaders(context.Background(), "no-slash", "")
		assert.Error(t, err, "a bad method fails every time, never cached")
	}
	_, cached := ch.headers.get("no-slash")
	assert.False(t, cached)
}

func TestHeaderCacheBounded(t *testing.T) {
	var hc headerCache
	fields := []hpack.HeaderField{{Name: ":path", Value: "/x"}}
	for i := range maxCachedMethods + 10 {
		hc.put(string(rune('a'+i%26))+string(rune(i)), fields)
	}
	assert.Len(t, *hc.byMethod.Load(), maxCachedMethods)
}

// withoutTimeout is fields without grpc-timeout.
func withoutTimeout(fields []hpack.HeaderField) []hpack.HeaderField {
	var out []hpack.HeaderField
	for _, f := range fields {
		if f.Name != "grpc-timeout" {
			out = append(out, f)
		}
	}
	return out
}
