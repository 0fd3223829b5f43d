package actorrpc

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/internal/callwatch"
	"github.com/actorrpc/actorrpc/streamactor"
)

// A caller that cancels and then half-closes must see its call end CANCELLED: the handle
// posts ContextDone itself, ahead of the half-close, rather than leave it to the context's
// watch goroutine, which may post it after the server answered the half-close with OK.
// (The interop case cancel_after_begin failed so once, under load.) Here the stream actor
// is a recorder, so the context's watch never posts anything: what it receives is only
// what the handle sent, in order.
func TestClientStreamPostsContextDoneBeforeItsOwnMessages(t *testing.T) {
	tests := []struct {
		name      string
		cancelled bool
		ended     bool // the call's outcome is already published
		closes    int
		want      []string
	}{
		{name: "a live context: the half-close alone", closes: 1, want: []string{"CloseSend"}},
		{name: "a cancelled context: ContextDone first", cancelled: true, closes: 1, want: []string{"ContextDone", "CloseSend"}},
		{name: "a cancelled context, two half-closes: ContextDone once", cancelled: true, closes: 2, want: []string{"ContextDone", "CloseSend", "CloseSend"}},
		{name: "a call that has ended: nothing more to end", cancelled: true, ended: true, closes: 1, want: []string{"CloseSend"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			system := actors.NewSystem()
			got := make(chan string, 8)
			pid := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
				switch m := ctx.Message().(type) {
				case *callwatch.ContextDone:
					got <- "ContextDone"
				case *streamactor.CloseSend:
					got <- "CloseSend"
				case *marker:
					close(m.done)
				}
			}))
			defer func() { _ = system.Root.StopFuture(pid).Wait() }()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelled {
				cancel()
			}
			cs := &clientStream{ctx: ctx, system: system, pid: pid, outcome: streamactor.NewOutcome()}
			cs.outcome.Ended.Store(tt.ended)
			for range tt.closes {
				require.NoError(t, cs.CloseSend())
			}
			var seq []string
			for range tt.want {
				select {
				case m := <-got:
					seq = append(seq, m)
				case <-time.After(10 * time.Second):
					t.Fatalf("got %v, then nothing; want %v", seq, tt.want)
				}
			}
			// The recorder handles its messages in order: a marker posted now comes last.
			done := make(chan struct{})
			system.Root.Send(pid, &marker{done: done})
			<-done
			select {
			case m := <-got:
				seq = append(seq, m)
			default:
			}
			assert.Equal(t, tt.want, seq, fmt.Sprintf("messages the stream actor received (cancelled %v)", tt.cancelled))
		})
	}
}

// marker is a message the recorder does not record.
type marker struct{ done chan struct{} }
