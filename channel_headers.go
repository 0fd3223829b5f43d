package actorrpc

import (
	"sync/atomic"

	"golang.org/x/net/http2/hpack"
)

// headerCache holds the request headers of calls that carry no metadata and no deadline,
// by method: those are the same for every such call of a method on a channel, so they are
// built and validated once. Entries are never changed once stored (their capacity is their
// length, so nothing appends into them); the map is replaced whole, copy on write, so
// readers take no lock.
type headerCache struct {
	byMethod atomic.Pointer[map[string][]hpack.HeaderField]
}

// maxCachedMethods bounds the cache: past it, headers are built per call, as for calls
// with metadata or a deadline.
const maxCachedMethods = 256

// get returns the cached headers of method, if any.
func (hc *headerCache) get(method string) ([]hpack.HeaderField, bool) {
	m := hc.byMethod.Load()
	if m == nil {
		return nil, false
	}
	fields, ok := (*m)[method]
	return fields, ok
}

// put caches fields for method, unless the cache is full. Two callers racing to add
// entries may lose one of them, to be added by a later call.
func (hc *headerCache) put(method string, fields []hpack.HeaderField) {
	old := hc.byMethod.Load()
	n := 0
	if old != nil {
		n = len(*old)
	}
	if n >= maxCachedMethods {
		return
	}
	next := make(map[string][]hpack.HeaderField, n+1)
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	next[method] = fields[:len(fields):len(fields)]
	hc.byMethod.CompareAndSwap(old, &next)
}
