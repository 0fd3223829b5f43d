package harness

import (
	"testing"
	"time"
)

func TestHistogramBucketsRoundTrip(t *testing.T) {
	for _, ns := range []int64{0, 1, 127, 255, 256, 1000, 65_432, 1_234_567, 987_654_321, 45 * int64(time.Second)} {
		got := bucketValue(bucketOf(ns))
		if diff := got - ns; diff < -ns/100-1 || diff > ns/100+1 {
			t.Errorf("bucketValue(bucketOf(%d)) = %d; want within 1%%", ns, got)
		}
	}
}

func TestHistogramQuantile(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, 1000 * time.Microsecond}} {
		got := h.Quantile(tc.q)
		if d := got - tc.want; d < -tc.want/100 || d > tc.want/100 {
			t.Errorf("Quantile(%v) = %v; want %v ±1%%", tc.q, got, tc.want)
		}
	}
}
