package streamactor

import (
	"context"
)

// ServerStream is the handle a blocking handler uses: a Handle on the stream actor, with
// the call's context as what ends a wait. One goroutine may Send while another Recvs.
type ServerStream struct {
	ctx context.Context
	h   *Handle
}

// Context is the call's context.
func (s *ServerStream) Context() context.Context { return s.ctx }

// SendMsg sends one encoded message; it waits while the connection holds more than the
// stream's send buffer.
func (s *ServerStream) SendMsg(o Outgoing) error {
	err := s.h.Send(o, s.ctx.Done())
	if _, done := err.(errDone); done { // the call ended; its actor may be gone
		return statusOf(s.ctx.Err())
	}
	return err
}

// RecvMsg returns the next message's payload, io.EOF after the client half-closed, or the
// status that ended the call.
func (s *ServerStream) RecvMsg() (RecvResult, error) {
	r, ok := s.h.Recv(s.ctx.Done())
	if !ok { // the call ended; its actor may be gone
		return RecvResult{}, statusOf(s.ctx.Err())
	}
	return r, r.Err
}
