package streamactor

import (
	"context"

	"github.com/asynkron/protoactor-go/actor"
)

// ServerStream is the handle a blocking handler uses. Its methods post to the stream actor
// and wait for the answer on a channel of their own; the actor never blocks. One
// goroutine may Send while another Recvs.
type ServerStream struct {
	ctx    context.Context
	system *actor.ActorSystem
	pid    *actor.PID
}

// Context is the call's context.
func (s *ServerStream) Context() context.Context { return s.ctx }

// SendMsg sends one length-prefixed message; it waits while the connection holds more than
// the stream's send buffer.
func (s *ServerStream) SendMsg(data []byte) error {
	reply := make(chan error, 1)
	s.system.Root.Send(s.pid, &Send{Data: data, Reply: reply})
	select {
	case err := <-reply:
		return err
	case <-s.ctx.Done(): // the call ended; its actor may be gone
		return statusOf(s.ctx.Err())
	}
}

// RecvMsg returns the next message's payload, io.EOF after the client half-closed, or the
// status that ended the call.
func (s *ServerStream) RecvMsg() (RecvResult, error) {
	reply := make(chan RecvResult, 1)
	s.system.Root.Send(s.pid, &Recv{Reply: reply})
	select {
	case r := <-reply:
		return r, r.Err
	case <-s.ctx.Done(): // the call ended; its actor may be gone
		return RecvResult{}, statusOf(s.ctx.Err())
	}
}
