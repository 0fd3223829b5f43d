package wire

import (
	"errors"
	"math"
	"strconv"
	"time"
)

// PROTOCOL-HTTP2.md:
//
//	Timeout → "grpc-timeout" TimeoutValue TimeoutUnit
//	TimeoutValue → {positive integer as ASCII string of at most 8 digits}
//	TimeoutUnit → Hour / Minute / Second / Millisecond / Microsecond / Nanosecond
//	Hour → "H", Minute → "M", Second → "S", Millisecond → "m", Microsecond → "u", Nanosecond → "n"

// maxTimeoutValue is the largest TimeoutValue: 8 digits.
const maxTimeoutValue = 99999999

// timeoutUnits lists the units from finest to coarsest.
var timeoutUnits = [...]struct {
	unit byte
	d    time.Duration
}{
	{'n', time.Nanosecond},
	{'u', time.Microsecond},
	{'m', time.Millisecond},
	{'S', time.Second},
	{'M', time.Minute},
	{'H', time.Hour},
}

// EncodeTimeout encodes d as a grpc-timeout value. It uses the finest unit
// whose value fits in 8 digits, rounding up so the peer never sees a
// shorter timeout than d, as grpc-go does. d <= 0 encodes as "0n".
func EncodeTimeout(d time.Duration) string {
	if d <= 0 {
		return "0n"
	}
	for _, u := range timeoutUnits {
		v := ceilDiv(d, u.d)
		if v <= maxTimeoutValue || u.unit == 'H' {
			return strconv.FormatInt(v, 10) + string(u.unit)
		}
	}
	panic("unreachable")
}

func ceilDiv(d, unit time.Duration) int64 {
	v := int64(d / unit)
	if d%unit > 0 {
		v++
	}
	return v
}

// DecodeTimeout parses a grpc-timeout value. It rejects empty values, more
// than 8 digits, non-digits and unknown units. A value whose duration
// exceeds the range of time.Duration saturates to the maximum duration.
// Zero ("0n") is accepted: it is what EncodeTimeout sends for an expired
// deadline.
func DecodeTimeout(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, errors.New("timeout string is too short: " + strconv.Quote(s))
	}
	digits, unitByte := s[:len(s)-1], s[len(s)-1]
	if len(digits) > 8 {
		return 0, errors.New("timeout string is too long: " + strconv.Quote(s))
	}
	unit, ok := timeoutUnit(unitByte)
	if !ok {
		return 0, errors.New("timeout unit is not recognized: " + strconv.Quote(s))
	}
	var v int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, errors.New("timeout value is not a number: " + strconv.Quote(s))
		}
		v = v*10 + int64(c-'0')
	}
	if v > math.MaxInt64/int64(unit) {
		return math.MaxInt64, nil
	}
	return time.Duration(v) * unit, nil
}

func timeoutUnit(c byte) (time.Duration, bool) {
	for _, u := range timeoutUnits {
		if u.unit == c {
			return u.d, true
		}
	}
	return 0, false
}
