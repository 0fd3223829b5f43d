package harness

import (
	"math/bits"
	"time"
)

// subBits is the number of mantissa bits a histogram bucket keeps: 128 buckets per power
// of two, so a recorded latency is off by less than 1%.
const subBits = 7

const (
	subCount   = 1 << subBits
	numBuckets = 64 * subCount
)

// Histogram counts latencies in log-linear buckets. Recording never allocates, so the
// load generator does not disturb the client's allocation counts. The zero value is ready;
// a Histogram is owned by one goroutine.
type Histogram struct {
	counts [numBuckets]uint64
	total  uint64
}

func bucketOf(ns int64) int {
	if ns < 0 {
		ns = 0
	}
	v := uint64(ns)
	if v < 2*subCount {
		return int(v)
	}
	shift := bits.Len64(v) - (subBits + 1)
	top := v >> shift // in [subCount, 2*subCount)
	return (shift+1)*subCount + int(top-subCount)
}

// bucketValue is the midpoint of bucket i, in nanoseconds.
func bucketValue(i int) int64 {
	if i < 2*subCount {
		return int64(i)
	}
	shift := i/subCount - 1
	top := uint64(i%subCount + subCount)
	return int64(top<<shift + (uint64(1)<<shift)/2)
}

// Record adds one latency.
func (h *Histogram) Record(d time.Duration) {
	h.counts[bucketOf(int64(d))]++
	h.total++
}

// Merge adds every latency of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
}

// Count is the number of latencies recorded.
func (h *Histogram) Count() uint64 { return h.total }

// Quantile returns the latency at quantile q (0 < q ≤ 1), or 0 if nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q*float64(h.total) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(bucketValue(i))
		}
	}
	return time.Duration(bucketValue(numBuckets - 1))
}
