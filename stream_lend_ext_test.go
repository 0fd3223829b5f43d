package actorrpc_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
)

// The receiving goroutine of a stream lends itself to the stream actor while it waits
// (actors.Lender.Offer, in streamactor.Handle.wait). These tests use streams end to end
// with a receiver and a sender on different goroutines on each side, as applications do.

// splitEcho is an Echo handler whose receiving and sending run on two goroutines: one
// receives and hands each message to the handler's goroutine, which sends it back.
func splitEcho(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
	in := make(chan *wrapperspb.Int32Value, 64)
	recvErr := make(chan error, 1)
	go func() {
		defer close(in)
		for {
			v, err := s.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			in <- v
		}
	}()
	var sendErr error
	for v := range in {
		if sendErr == nil {
			sendErr = s.Send(v) // after a failure, still drain until the receiver ends
		}
	}
	if err := <-recvErr; !errors.Is(err, io.EOF) {
		return err
	}
	return sendErr
}

// A bidi stream carries n messages each way with one sender and one receiver goroutine on
// each side, at most inflight at a time unanswered (1: a ping-pong, each receiver waits
// for every message, lending itself to its stream actor): all arrive, in order, intact.
func TestStreamLendSplitGoroutines(t *testing.T) {
	tests := []struct {
		name     string
		n        int
		inflight int
	}{
		{name: "ping-pong", n: 2000, inflight: 1},
		{name: "a few in flight", n: 2000, inflight: 8},
		{name: "pipelined", n: 2000, inflight: 2000},
	}
	impl := defaultNumbers()
	impl.echo = splitEcho
	e := newStreamEnv(t, impl)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := e.open(t, testCtx(t), "Echo")
			credit := make(chan struct{}, tt.inflight)
			for range tt.inflight {
				credit <- struct{}{}
			}
			stopSending := make(chan struct{})
			sent := make(chan error, 1)
			go func() {
				for i := range tt.n {
					select {
					case <-credit:
					case <-stopSending:
						sent <- errors.New("the receiver gave up")
						return
					}
					if err := s.Send(wrapperspb.Int32(int32(i) * 3)); err != nil {
						sent <- err
						return
					}
				}
				sent <- s.CloseSend()
			}()
			received := make(chan error, 1)
			go func() {
				defer close(stopSending)
				for i := range tt.n {
					v, err := s.Recv()
					if err != nil {
						received <- err
						return
					}
					if v.GetValue() != int32(i)*3 {
						received <- errors.New("got " + v.String() + " out of order or altered")
						return
					}
					credit <- struct{}{}
				}
				_, err := s.Recv()
				if !errors.Is(err, io.EOF) {
					received <- errors.New("got " + errString(err) + " after the last message; want io.EOF")
					return
				}
				received <- nil
			}()
			require.NoError(t, <-received, "the client's receiver")
			require.NoError(t, <-sent, "the client's sender")
		})
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// A client goroutine blocked in Recv (lending itself to the stream actor) when the
// stream's context is cancelled returns CANCELLED; the server's handler sees it too.
func TestStreamLendRecvCancelled(t *testing.T) {
	tests := []struct {
		name string
		// before messages are received before the receiver blocks.
		before int32
		// sending: another client goroutine is blocked meanwhile sending (no credit
		// needed: it just sends until the stream fails).
		sending bool
	}{
		{name: "nothing received yet", before: 0},
		{name: "after some messages", before: 5},
		{name: "while another goroutine sends", before: 1, sending: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handlerErr := make(chan error, 1)
			started := make(chan struct{})
			impl := defaultNumbers()
			impl.echo = func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
				close(started)
				for i := range tt.before {
					if err := s.Send(wrapperspb.Int32(i)); err != nil {
						handlerErr <- err
						return err
					}
				}
				<-s.Context().Done()
				handlerErr <- s.Context().Err()
				return s.Context().Err()
			}
			e := newStreamEnv(t, impl)
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			s := e.open(t, ctx, "Echo")
			for i := range tt.before {
				v, err := s.Recv()
				require.NoError(t, err)
				require.Equal(t, i, v.GetValue())
			}
			sendDone := make(chan error, 1)
			if tt.sending {
				go func() {
					for {
						if err := s.Send(wrapperspb.Int32(7)); err != nil {
							sendDone <- err
							return
						}
					}
				}()
			}
			select { // the server has the stream: the cancellation must reach its handler
			case <-started:
			case <-testCtx(t).Done():
				t.Fatal("the server's handler never started")
			}
			recvErr := make(chan error, 1)
			go func() {
				_, err := s.Recv()
				recvErr <- err
			}()
			cancel()
			select {
			case err := <-recvErr:
				assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err), "a Recv blocked at cancellation: got %v; want CANCELLED", err)
			case <-testCtx(t).Done():
				t.Fatal("a Recv blocked when the stream's context was cancelled never returned")
			}
			assert.ErrorIs(t, <-handlerErr, context.Canceled, "the server's handler sees the cancellation")
			if tt.sending {
				assert.Error(t, <-sendDone, "a send after the cancellation")
			}
		})
	}
}

// A server handler blocked in Recv (its goroutine lent to the stream actor) when the client
// closes its channel returns, and nothing is left behind: no goroutine outlives the test.
func TestStreamLendHandlerRecvChannelClosed(t *testing.T) {
	tests := []struct {
		name string
		// received messages the handler receives before it blocks.
		received int32
		// split: the handler receives on a goroutine of its own while it sends on its
		// own goroutine (blocked waiting for something to send).
		split bool
	}{
		{name: "before any message", received: 0},
		{name: "after some messages", received: 3},
		{name: "receiving on a goroutine of its own", received: 2, split: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Cleanup(func() { goleak.VerifyNone(t) }) // after the env's teardown (cleanups run last first)
			blocked := make(chan struct{})
			handlerErr := make(chan error, 1)
			impl := defaultNumbers()
			recvAll := func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
				for range tt.received {
					if _, err := s.Recv(); err != nil {
						return err
					}
				}
				close(blocked)
				_, err := s.Recv()
				if err == nil {
					return errors.New("the handler received a message nobody sent")
				}
				return err
			}
			impl.echo = func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
				if !tt.split {
					err := recvAll(s)
					handlerErr <- err
					return err
				}
				recvd := make(chan error, 1)
				go func() { recvd <- recvAll(s) }()
				err := <-recvd
				handlerErr <- err
				return err
			}
			e := newStreamEnv(t, impl)
			s := e.open(t, testCtx(t), "Echo")
			for i := range tt.received {
				require.NoError(t, s.Send(wrapperspb.Int32(i)))
			}
			select {
			case <-blocked:
			case <-testCtx(t).Done():
				t.Fatal("the handler never reached its blocking Recv")
			}
			require.NoError(t, e.ch.Close())
			select {
			case err := <-handlerErr:
				assert.Error(t, err, "the handler's Recv after the client closed its channel")
			case <-testCtx(t).Done():
				t.Fatal("a server handler blocked in Recv never returned after the client closed its channel")
			}
		})
	}
}
