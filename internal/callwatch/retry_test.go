package callwatch

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/actorrpc/actorrpc/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestResetStatus(t *testing.T) {
	past, future := time.Now().Add(-time.Millisecond), time.Now().Add(time.Hour)
	cancel := wire.NewStatus(wire.Canceled, "stream reset by peer: RST_STREAM(CANCEL)")
	refused := wire.NewStatus(wire.Unavailable, "stream reset by peer: RST_STREAM(REFUSED_STREAM)")
	tests := []struct {
		name        string
		st          *wire.Status
		deadline    time.Time
		hasDeadline bool
		want        wire.Code
	}{
		{"CANCEL after the deadline: the server gave up at it", cancel, past, true, wire.DeadlineExceeded},
		{"CANCEL before the deadline", cancel, future, true, wire.Canceled},
		{"CANCEL without a deadline", cancel, past, false, wire.Canceled},
		{"another reset after the deadline", refused, past, true, wire.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ResetStatus(tt.st, tt.deadline, tt.hasDeadline).Code())
		})
	}
}
