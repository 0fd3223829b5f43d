package actorrpc

import (
	"context"

	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/internal/callctx"
	"github.com/actorrpc/actorrpc/streamactor"
)

// serverStream adapts the stream actor's handle to ServerStream: it encodes and decodes
// messages, and reaches headers and trailers through the call's context.
type serverStream struct {
	ctx     context.Context
	st      *streamactor.ServerStream
	sc      *callctx.ServerCall
	maxSend int
}

var _ ServerStream = (*serverStream)(nil)

func newServerStream(ctx context.Context, st *streamactor.ServerStream, maxSend int) *serverStream {
	return &serverStream{ctx: ctx, st: st, sc: callctx.ServerCallFrom(ctx), maxSend: maxSend}
}

func (s *serverStream) Context() context.Context { return s.ctx }

func (s *serverStream) SetHeader(md Metadata) error { return s.sc.SetHeader(md) }

func (s *serverStream) SendHeader(md Metadata) error { return s.sc.SendHeader(md) }

func (s *serverStream) SetTrailer(md Metadata) { s.sc.SetTrailer(md) }

// SendMsg sends m, with the headers first if they have not gone out.
func (s *serverStream) SendMsg(m proto.Message) error {
	o, err := streamactor.Encode(m, s.sc.StartMessage(), s.maxSend)
	if err != nil {
		return err
	}
	return s.st.SendMsg(o)
}

func (s *serverStream) RecvMsg(m proto.Message) error {
	r, err := s.st.RecvMsg()
	if err != nil {
		return err
	}
	s.sc.SetRecvCompressed(r.Compressed)
	err = proto.Unmarshal(r.Payload, m)
	r.Release() // m holds copies of what it keeps
	if err != nil {
		return Errorf(Internal, "grpc: error unmarshalling request: %v", err)
	}
	return nil
}
