package streamactor

import (
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc/actors"
)

// pushMsg makes handleTestActor queue payload (or, with end, the end) and push, as a
// stream actor does with a DataReceived.
type pushMsg struct {
	payload []byte
	end     bool
}

// handleTestActor stands in for a stream actor: it owns the inbox, and records the
// takeMore reports of the handle.
type handleTestActor struct {
	in      *inbox
	reports chan takeMore
}

func (a *handleTestActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *pushMsg:
		queue(a.in, m)
	case *takeMore:
		a.reports <- *m
	}
}

// queue adds m to the inbox and pushes, as the stream actor's run would.
func queue(in *inbox, m *pushMsg) {
	if m.end {
		in.end(io.EOF)
	} else {
		in.msgs = append(in.msgs, inMsg{payload: m.payload, size: len(m.payload) + 5})
	}
	in.push()
}

// A handle whose goroutine waits in Recv with a Lender blocks on the Lender's runs (and
// done) alone. Whatever the stream's inbox delivers reaches it: from a run of the actor on
// the waiting goroutine itself, or from a run elsewhere, which began before the handle
// offered its goroutine (the test's goroutine plays it) and pokes it. A more signal left
// before the wait makes it report first; done ends the wait.
func TestHandleWaitLent(t *testing.T) {
	tests := []struct {
		name string
		// before runs before Recv: the handle has reported once, and waits from then on.
		before func(h *Handle)
		// while happens once the receiving goroutine waits; run posts to the actor,
		// elsewhere is the test's goroutine acting as a run on another goroutine.
		while func(pid *actor.PID, system *actor.ActorSystem, in *inbox, done chan struct{})
		want  RecvResult
		// wantOK false: Recv returned without a delivery (done closed).
		wantOK bool
		// reports is how many takeMore the actor got once Recv returned.
		reports int
	}{
		{
			name: "message from a run on the waiting goroutine",
			while: func(pid *actor.PID, system *actor.ActorSystem, _ *inbox, _ chan struct{}) {
				system.Root.Send(pid, &pushMsg{payload: []byte("run here")})
			},
			want: RecvResult{Payload: []byte("run here"), size: 13}, wantOK: true,
		},
		{
			name: "message from a run elsewhere pokes the waiting goroutine",
			while: func(_ *actor.PID, _ *actor.ActorSystem, in *inbox, _ chan struct{}) {
				queue(in, &pushMsg{payload: []byte("run elsewhere")})
			},
			want: RecvResult{Payload: []byte("run elsewhere"), size: 18}, wantOK: true,
		},
		{
			name: "end from a run elsewhere pokes the waiting goroutine",
			while: func(_ *actor.PID, _ *actor.ActorSystem, in *inbox, _ chan struct{}) {
				queue(in, &pushMsg{end: true})
			},
			want: RecvResult{Err: io.EOF, last: true}, wantOK: true,
		},
		{
			name:   "more signalled before the wait: the handle reports, then waits",
			before: func(h *Handle) { h.more <- struct{}{} },
			while: func(pid *actor.PID, system *actor.ActorSystem, _ *inbox, _ chan struct{}) {
				system.Root.Send(pid, &pushMsg{payload: []byte("after report")})
			},
			want: RecvResult{Payload: []byte("after report"), size: 17}, wantOK: true,
			reports: 1,
		},
		{
			name: "done closes while waiting",
			while: func(_ *actor.PID, _ *actor.ActorSystem, _ *inbox, done chan struct{}) {
				close(done)
			},
			wantOK: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				system := actors.NewSystem()
				l := new(actors.Lender)
				l.InitOffer(system)
				h := NewHandle(0, 0)
				h.LendTo(l)
				in := &inbox{out: h.msgs, more: h.more, lender: l, pulling: true}
				a := &handleTestActor{in: in, reports: make(chan takeMore, 4)}
				pid := system.Root.Spawn(actors.LentProps(func(*actor.ActorSystem) actor.Actor { return a }, l))
				h.Bind(system, pid)
				h.started = true // it reported once: Recv waits without reporting
				if tt.before != nil {
					tt.before(h)
				}
				done := make(chan struct{})
				type result struct {
					r  RecvResult
					ok bool
				}
				got := make(chan result, 1)
				go func() {
					r, ok := h.Recv(done)
					got <- result{r, ok}
				}()
				synctest.Wait()
				require.Empty(t, got, "Recv returned before anything was delivered")
				tt.while(pid, system, in, done)
				synctest.Wait()
				require.Len(t, got, 1, "Recv still waits after the delivery; want it to return")
				res := <-got
				assert.Equal(t, tt.wantOK, res.ok, "Recv's ok")
				if tt.wantOK {
					assert.Equal(t, tt.want, res.r)
				}
				assert.Len(t, a.reports, tt.reports, "takeMore reports the actor got")
				system.Root.Stop(pid)
				time.Sleep(time.Second) // the bubble's clock: idle warm workers exit
			})
		})
	}
}
