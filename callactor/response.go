package callactor

import (
	"net/http"
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

// Reject answers a request that wire.ParseRequestHeaders refused. A malformed HTTP/2
// request is reset with PROTOCOL_ERROR (RFC 9113 §8.1.1: "Malformed requests or responses
// that are detected MUST be treated as a stream error (Section 5.4.2) of type
// PROTOCOL_ERROR"). A well-formed request that is not gRPC gets its HTTP status
// (PROTOCOL-HTTP2.md: "If Content-Type does not begin with "application/grpc", gRPC
// servers SHOULD respond with HTTP status of 415 (Unsupported Media Type)"), with
// grpc-status so that gRPC clients also read the reason, and the reason as a text body for
// the HTTP clients that sent it. Any other refusal is a gRPC Trailers-Only response.
func Reject(herr *wire.HeaderError) actors.StreamOwner {
	if herr.Malformed() {
		return actors.StreamOwner{Malformed: herr.Error()}
	}
	if herr.HTTPStatus == 0 || herr.HTTPStatus == http.StatusOK {
		return actors.StreamOwner{Reject: StatusWrite(false, "", nil, herr.Status, nil).Headers}
	}
	fields := []hpack.HeaderField{
		{Name: ":status", Value: strconv.Itoa(herr.HTTPStatus)},
		{Name: "content-type", Value: "text/plain; charset=utf-8"},
		{Name: "grpc-status", Value: strconv.Itoa(int(herr.Status.Code()))},
		{Name: "grpc-message", Value: wire.EncodeGrpcMessage(herr.Status.Message())},
	}
	if herr.HTTPStatus == http.StatusMethodNotAllowed {
		// RFC 9110 §15.5.6: "The origin server MUST generate an Allow header field in a
		// 405 response containing a list of the target resource's currently supported
		// methods."
		fields = append(fields, hpack.HeaderField{Name: "allow", Value: http.MethodPost})
	}
	return actors.StreamOwner{Reject: fields, RejectBody: []byte(herr.Status.Message() + "\n")}
}
