package wire

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncodeTimeout(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0n"},
		{0, "0n"},
		{1, "1n"},
		{99999999, "99999999n"},
		{100000000, "100000u"},
		{100000001, "100001u"}, // rounds up
		{time.Second, "1000000u"},
		{100 * time.Second, "100000m"},
		{27 * time.Hour, "97200000m"},
		{30 * time.Hour, "108000S"},
		{math.MaxInt64, "2562048H"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, EncodeTimeout(tt.d), "EncodeTimeout(%v)", tt.d)
	}
}

func TestDecodeTimeout(t *testing.T) {
	tests := []struct {
		s    string
		want time.Duration
	}{
		{"0n", 0},
		{"1n", 1},
		{"5u", 5 * time.Microsecond},
		{"7m", 7 * time.Millisecond},
		{"10S", 10 * time.Second},
		{"2M", 2 * time.Minute},
		{"3H", 3 * time.Hour},
		{"00000001S", time.Second},
		{"99999999H", math.MaxInt64},
		{"2562048H", math.MaxInt64},
		{"2562047H", 2562047 * time.Hour},
	}
	for _, tt := range tests {
		got, err := DecodeTimeout(tt.s)
		require.NoError(t, err, tt.s)
		assert.Equal(t, tt.want, got, "DecodeTimeout(%q)", tt.s)
	}
	for _, bad := range []string{"", "S", "1", "123456789S", "1x", "-1S", "+1S", "1 S", "1.5S", "1s", "a1S"} {
		_, err := DecodeTimeout(bad)
		assert.Error(t, err, "DecodeTimeout(%q)", bad)
	}
}

func TestTimeoutRoundTripNeverShorter(t *testing.T) {
	for _, d := range []time.Duration{1, 999, 123456789, time.Hour + 1, 1<<62 + 7} {
		got, err := DecodeTimeout(EncodeTimeout(d))
		require.NoError(t, err)
		assert.GreaterOrEqual(t, got, d, "round trip of %v", d)
	}
}
