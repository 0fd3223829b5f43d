package callactor

import (
	"strconv"

	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/wire"
)

// StatusWrite builds the write that ends a server call with st: Trailers-Only when no
// headers went out and none are set; otherwise headers (if not sent yet) and trailers.
// Invalid user metadata is dropped rather than losing the status.
func StatusWrite(headSent bool, subtype string, header wire.Metadata, st *wire.Status, trailer wire.Metadata) *actors.WriteStream {
	w := &actors.WriteStream{EndStream: true}
	t := &wire.Trailers{Status: st, Metadata: trailer}
	if !headSent && len(header) > 0 {
		// Header metadata was set: its own HEADERS frame, as grpc-go does, so the client
		// reads it as headers.
		if fields, err := wire.AppendResponseHeaders(nil, &wire.ResponseHeaders{ContentSubtype: subtype, Metadata: header}); err == nil {
			w.Headers, headSent = fields, true
		}
	}
	if headSent {
		tr, err := wire.AppendTrailers(nil, t)
		if err != nil {
			t.Metadata = nil
			tr, _ = wire.AppendTrailers(nil, t)
		}
		w.Trailers = tr
		return w
	}
	fields, err := wire.AppendTrailersOnly(nil, &wire.ResponseHeaders{ContentSubtype: subtype}, t)
	if err != nil {
		t.Metadata = nil
		fields, _ = wire.AppendTrailersOnly(nil, &wire.ResponseHeaders{ContentSubtype: subtype}, t)
	}
	w.Headers = fields
	return w
}

// SupportedEncodings is the grpc-accept-encoding this runtime announces.
const SupportedEncodings = "gzip"

// ResponseHeaders describes response headers with the encoding the messages use.
func ResponseHeaders(subtype, encoding string, md wire.Metadata) *wire.ResponseHeaders {
	return &wire.ResponseHeaders{ContentSubtype: subtype, Encoding: encoding, AcceptEncoding: SupportedEncodings, Metadata: md}
}

// RejectFields answers a request that wire.ParseRequestHeaders refused: an HTTP status
// (with grpc-status, so gRPC clients also read the reason), or a gRPC Trailers-Only.
func RejectFields(herr *wire.HeaderError) []hpack.HeaderField {
	if herr.HTTPStatus == 0 || herr.HTTPStatus == 200 {
		return StatusWrite(false, "", nil, herr.Status, nil).Headers
	}
	return []hpack.HeaderField{
		{Name: ":status", Value: strconv.Itoa(herr.HTTPStatus)},
		{Name: "content-type", Value: "text/plain; charset=utf-8"},
		{Name: "grpc-status", Value: strconv.Itoa(int(herr.Status.Code()))},
		{Name: "grpc-message", Value: wire.EncodeGrpcMessage(herr.Status.Message())},
	}
}
