package callactor

import (
	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/wire"
)

// contentSubtype is the request's content subtype, echoed in the response.
func (s *UnaryServer) contentSubtype() string {
	if s.req == nil {
		return ""
	}
	return s.req.ContentSubtype
}

// writeHeaders sends the response headers now (SendHeader).
func (s *UnaryServer) writeHeaders(ctx actor.Context, md wire.Metadata, encoding string) {
	if s.ended || s.sentHead {
		return
	}
	fields, err := wire.AppendResponseHeaders(nil, ResponseHeaders(s.contentSubtype(), encoding, md))
	if err != nil {
		s.respondError(ctx, wire.NewStatus(wire.Internal, "grpc: invalid response header metadata: "+err.Error()))
		return
	}
	s.sentHead = true
	ctx.Send(s.conn, &actors.WriteStream{StreamID: s.id, Headers: fields})
}

// writeResponse sends headers (unless sent), the message and the OK trailers in one
// command to the connection.
func (s *UnaryServer) writeResponse(ctx actor.Context, header wire.Metadata, encoding string, data []byte, trailer wire.Metadata) {
	w := &s.final // the call's last message to the connection
	*w = actors.WriteStream{StreamID: s.id, Data: data, ReleaseData: true}
	if len(header) == 0 && len(trailer) == 0 && encoding == "" && s.contentSubtype() == "" && !s.sentHead {
		// The usual answer: fields shared by every call (the connection only reads them).
		w.Headers, w.Trailers = okResponse.headers, okResponse.trailers
		s.sentHead = true
		s.finishWith(ctx, w)
		return
	}
	// Headers and trailers share one backing array: usually 4 + 1 fields.
	fields := make([]hpack.HeaderField, 0, 6+len(header)+len(trailer))
	if !s.sentHead {
		var err error
		fields, err = wire.AppendResponseHeaders(fields, ResponseHeaders(s.contentSubtype(), encoding, header))
		if err != nil {
			s.writeStatus(ctx, nil, wire.NewStatus(wire.Internal, "grpc: invalid response header metadata: "+err.Error()), nil)
			return
		}
		w.Headers = fields[:len(fields):len(fields)]
		fields = fields[len(fields):]
		s.sentHead = true
	}
	tr, err := wire.AppendTrailers(fields, &wire.Trailers{Status: wire.StatusOK(), Metadata: trailer})
	if err != nil {
		tr, _ = wire.AppendTrailers(nil, &wire.Trailers{Status: wire.NewStatus(wire.Internal, "grpc: invalid trailer metadata: "+err.Error())})
	}
	w.Trailers = tr
	s.finishWith(ctx, w)
}

// okResponse is the header and trailer fields of a response with no metadata, no
// compression and the default content type, and status OK.
var okResponse = func() (r struct{ headers, trailers []hpack.HeaderField }) {
	r.headers, _ = wire.AppendResponseHeaders(nil, ResponseHeaders("", "", nil))
	r.trailers, _ = wire.AppendTrailers(nil, &wire.Trailers{Status: wire.StatusOK()})
	r.headers, r.trailers = r.headers[:len(r.headers):len(r.headers)], r.trailers[:len(r.trailers):len(r.trailers)]
	return r
}()

// writeStatus ends the call with st (see StatusWrite).
func (s *UnaryServer) writeStatus(ctx actor.Context, header wire.Metadata, st *wire.Status, trailer wire.Metadata) {
	w := StatusWrite(s.sentHead, s.contentSubtype(), header, st, trailer)
	s.sentHead = true
	w.StreamID = s.id
	s.finishWith(ctx, w)
}

// respondError ends the call with a status from the runtime (not the handler).
func (s *UnaryServer) respondError(ctx actor.Context, st *wire.Status) {
	if s.ended {
		return
	}
	s.writeStatus(ctx, nil, st, nil)
}

func (s *UnaryServer) finishWith(ctx actor.Context, w *actors.WriteStream) {
	s.ended = true
	if s.timer != nil {
		s.timer.Stop()
	}
	ctx.Send(s.conn, w)
	if s.hctx != nil && !s.running {
		s.hctx.Cancel()
	}
	s.stopIfDone(ctx)
}
