package wire

import (
	"net/http"
	"strconv"

	"golang.org/x/net/http2/hpack"
)

// PROTOCOL-HTTP2.md:
//
//	Response → (Response-Headers *Length-Prefixed-Message Trailers) / Trailers-Only
//	Response-Headers → HTTP-Status [Message-Encoding] [Message-Accept-Encoding] Content-Type *Custom-Metadata
//	Trailers-Only → HTTP-Status Content-Type Trailers
//	Trailers → Status [Status-Message] *Custom-Metadata
//	HTTP-Status → ":status 200"
//	Status → "grpc-status" 1*DIGIT ; 0-9

// ResponseHeaders are the initial headers of a gRPC response.
type ResponseHeaders struct {
	// ContentSubtype is the part of content-type after "application/grpc+".
	ContentSubtype string
	// Encoding is the grpc-encoding of the response messages; "" means
	// identity and is not sent.
	Encoding string
	// AcceptEncoding is the grpc-accept-encoding; not sent when empty.
	AcceptEncoding string
	// Metadata is the custom metadata (reserved keys are skipped when
	// sending and excluded when receiving); nil when there is none.
	Metadata Metadata
}

// Trailers end a gRPC response: its status and trailing metadata.
type Trailers struct {
	// Status is the status of the call; nil means OK.
	Status *Status
	// Metadata is the custom trailing metadata; nil when there is none.
	Metadata Metadata
}

// AppendResponseHeaders appends the initial response headers to dst:
// :status 200, content-type, grpc-encoding, grpc-accept-encoding, then the
// metadata. h may be nil.
func AppendResponseHeaders(dst []hpack.HeaderField, h *ResponseHeaders) ([]hpack.HeaderField, error) {
	if h == nil {
		h = &ResponseHeaders{}
	}
	if err := checkResponseHeaders(h); err != nil {
		return dst, err
	}
	dst = append(dst,
		hpack.HeaderField{Name: hdrStatus, Value: "200"},
		hpack.HeaderField{Name: hdrContentType, Value: contentType(h.ContentSubtype)},
	)
	dst = appendIfSet(dst, hdrEncoding, h.Encoding)
	dst = appendIfSet(dst, hdrAcceptEncoding, h.AcceptEncoding)
	return AppendMetadata(dst, h.Metadata)
}

func checkResponseHeaders(h *ResponseHeaders) error {
	for _, f := range [...]struct{ name, v string }{
		{hdrContentType, h.ContentSubtype}, {hdrEncoding, h.Encoding}, {hdrAcceptEncoding, h.AcceptEncoding},
	} {
		if err := ValidateMetadataValue(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// AppendTrailers appends the trailers to dst: grpc-status, grpc-message
// (percent-encoded; omitted when empty), grpc-status-details-bin (when the
// status has details; unpadded base64 of MarshalStatusProto), then the
// metadata. t may be nil (OK, no metadata).
func AppendTrailers(dst []hpack.HeaderField, t *Trailers) ([]hpack.HeaderField, error) {
	if t == nil {
		t = &Trailers{}
	}
	st := t.Status
	dst = append(dst, hpack.HeaderField{Name: hdrGrpcStatus, Value: strconv.FormatUint(uint64(st.Code()), 10)})
	if m := st.Message(); m != "" {
		dst = append(dst, hpack.HeaderField{Name: hdrGrpcMessage, Value: EncodeGrpcMessage(m)})
	}
	if st != nil && len(st.details) > 0 {
		b, err := MarshalStatusProto(st)
		if err != nil {
			return dst, err
		}
		dst = append(dst, hpack.HeaderField{Name: hdrStatusDetails, Value: EncodeBinaryValue(string(b))})
	}
	return AppendMetadata(dst, t.Metadata)
}

// AppendTrailersOnly appends a Trailers-Only response, sent as a single
// HEADERS frame with END_STREAM: :status 200, content-type, the trailers'
// fields, then h's metadata (headers that were set but never sent). h may be
// nil.
func AppendTrailersOnly(dst []hpack.HeaderField, h *ResponseHeaders, t *Trailers) ([]hpack.HeaderField, error) {
	if h == nil {
		h = &ResponseHeaders{}
	}
	if err := checkResponseHeaders(h); err != nil {
		return dst, err
	}
	dst = append(dst,
		hpack.HeaderField{Name: hdrStatus, Value: "200"},
		hpack.HeaderField{Name: hdrContentType, Value: contentType(h.ContentSubtype)},
	)
	dst, err := AppendTrailers(dst, t)
	if err != nil {
		return dst, err
	}
	return AppendMetadata(dst, h.Metadata)
}

// responseFields accumulates the fields of a response HEADERS frame.
type responseFields struct {
	httpStatus     int
	hasHTTPStatus  bool
	contentType    string
	hasCT          bool
	grpcStatus     string
	hasGrpcStatus  bool
	grpcMessage    string
	details        string
	hasDetails     bool
	encoding       string
	acceptEncoding string
	md             Metadata
	mdErr          error
}

// parseResponseFields collects fields. allowStatus says whether the
// :status pseudo-header may appear (initial headers) or not (trailers:
// RFC 9113 §8.1 "Trailers MUST NOT include pseudo-header fields").
// It fills rf, which the caller keeps (on its stack).
func parseResponseFields(rf *responseFields, fields []hpack.HeaderField, allowStatus bool) error {
	sawRegular := false
	for _, f := range fields {
		if f.Name != "" && f.Name[0] == ':' {
			if err := rf.pseudo(f, allowStatus, sawRegular); err != nil {
				return err
			}
			continue
		}
		sawRegular = true
		if !validFieldName(f.Name) || !validFieldValue(f.Value) {
			return Statusf(Internal, "malformed header: invalid header field %q", f.Name)
		}
		rf.regular(f)
	}
	return nil
}

func (rf *responseFields) pseudo(f hpack.HeaderField, allowStatus, sawRegular bool) error {
	switch {
	case f.Name != hdrStatus || !allowStatus:
		return Statusf(Internal, "malformed header: unexpected pseudo-header %q", f.Name)
	case sawRegular:
		return Statusf(Internal, "malformed header: pseudo-header %q after regular header fields", f.Name)
	case rf.hasHTTPStatus:
		return Statusf(Internal, "malformed header: duplicated %q", f.Name)
	}
	c, err := strconv.ParseUint(f.Value, 10, 16)
	if err != nil || len(f.Value) != 3 {
		return Statusf(Internal, "transport: malformed http-status: %q", f.Value)
	}
	rf.httpStatus, rf.hasHTTPStatus = int(c), true
	return nil
}

func (rf *responseFields) regular(f hpack.HeaderField) {
	switch f.Name {
	case hdrContentType:
		rf.contentType, rf.hasCT = f.Value, true
	case hdrGrpcStatus:
		rf.grpcStatus, rf.hasGrpcStatus = f.Value, true
	case hdrGrpcMessage:
		rf.grpcMessage = f.Value
	case hdrStatusDetails:
		rf.details, rf.hasDetails = f.Value, true
	case hdrEncoding:
		rf.encoding = f.Value
	case hdrAcceptEncoding:
		rf.acceptEncoding = joinHeader(rf.acceptEncoding, f.Value)
	default:
		if IsReservedHeader(f.Name) {
			return
		}
		if rf.md == nil {
			rf.md = make(Metadata)
		}
		if err := rf.md.add(f.Name, f.Value); err != nil && rf.mdErr == nil {
			rf.mdErr = err
		}
	}
}

// status builds the call status from grpc-status, grpc-message and
// grpc-status-details-bin. When the details parse, their message and details
// are used, but grpc-status always decides the code; an OK status keeps no
// details.
func (rf *responseFields) status() (*Status, error) {
	code, err := strconv.ParseUint(rf.grpcStatus, 10, 32)
	if err != nil {
		return nil, Statusf(Internal, "transport: malformed grpc-status: %q", rf.grpcStatus)
	}
	if code == uint64(OK) && rf.grpcMessage == "" && !rf.hasDetails {
		return statusOK, nil
	}
	st := &Status{code: Code(code), message: DecodeGrpcMessage(rf.grpcMessage)}
	if !rf.hasDetails {
		return st, nil
	}
	raw, err := DecodeBinaryValue(rf.details)
	if err != nil {
		return nil, Statusf(Internal, "transport: malformed grpc-status-details-bin: %v", err)
	}
	ds, err := UnmarshalStatusProto([]byte(raw))
	if err != nil {
		return nil, Statusf(Internal, "transport: malformed grpc-status-details-bin: %v", err)
	}
	if st.code != OK {
		st.details = ds.details
	}
	if st.message == "" {
		st.message = ds.message
	}
	return st, nil
}

// trailers builds Trailers from the collected fields.
func (rf *responseFields) trailers() (*Trailers, error) {
	if rf.mdErr != nil {
		return nil, rf.mdErr
	}
	st, err := rf.status()
	if err != nil {
		return nil, err
	}
	return &Trailers{Status: st, Metadata: rf.md}, nil
}

// ParseTrailers parses the trailers that end a response (the HEADERS frame
// with END_STREAM after the messages). A missing grpc-status yields UNKNOWN
// like grpc-go does; malformed input (pseudo-headers, invalid fields, a
// non-numeric grpc-status, undecodable grpc-status-details-bin or binary
// metadata) is an error, an INTERNAL *Status, which the caller should use as
// the status of the call.
func ParseTrailers(fields []hpack.HeaderField) (*Trailers, error) {
	var rf responseFields
	if err := parseResponseFields(&rf, fields, false); err != nil {
		return nil, err
	}
	if !rf.hasGrpcStatus {
		if rf.mdErr != nil {
			return nil, rf.mdErr
		}
		return &Trailers{Status: NewStatus(Unknown, "server closed the stream without sending grpc-status"), Metadata: rf.md}, nil
	}
	return rf.trailers()
}

// ParseResponseHeaders parses the first HEADERS frame of a response on the
// client side; endStream says whether it carried END_STREAM. Outcomes:
//
//   - informational (1xx) headers: all results nil; wait for the next HEADERS.
//   - a gRPC response that continues: headers != nil, trailers nil.
//   - the response ends here: trailers != nil. This is a Trailers-Only
//     response (grpc-status present; headers is also returned, without
//     metadata, which goes to trailers), or an answer that is not gRPC, with
//     a status derived from it: :status other than 200 gives
//     HTTPStatusToCode and "unexpected HTTP status code received from
//     server: 404 (Not Found)"; a missing or non-gRPC content-type gives the
//     code of the HTTP status (UNKNOWN for 200) and "unexpected
//     content-type \"text/html\""; END_STREAM without grpc-status gives
//     INTERNAL "server closed the stream without sending trailers". If the
//     stream did not end (endStream false), the caller should reset it.
//   - malformed headers: err, an INTERNAL *Status to use as the call status.
func ParseResponseHeaders(fields []hpack.HeaderField, endStream bool) (headers *ResponseHeaders, trailers *Trailers, err error) {
	var rf responseFields
	if err := parseResponseFields(&rf, fields, true); err != nil {
		return nil, nil, err
	}
	if !rf.hasHTTPStatus {
		return nil, nil, NewStatus(Internal, "malformed header: missing :status")
	}
	if rf.httpStatus >= 100 && rf.httpStatus < 200 {
		if endStream {
			return nil, nil, Statusf(Internal, "protocol error: informational header with status code %d must not have END_STREAM set", rf.httpStatus)
		}
		return nil, nil, nil
	}
	subtype, grpcCT := parseContentType(rf.contentType)
	if rf.hasGrpcStatus {
		t, err := rf.trailers()
		if err != nil {
			return nil, nil, err
		}
		return &ResponseHeaders{ContentSubtype: subtype, Encoding: rf.encoding, AcceptEncoding: rf.acceptEncoding}, t, nil
	}
	if rf.httpStatus != http.StatusOK || !rf.hasCT || !grpcCT {
		return nil, &Trailers{Status: rf.nonGRPCStatus(grpcCT)}, nil
	}
	if endStream {
		return nil, &Trailers{Status: NewStatus(Internal, "server closed the stream without sending trailers")}, nil
	}
	if rf.mdErr != nil {
		return nil, nil, rf.mdErr
	}
	return &ResponseHeaders{ContentSubtype: subtype, Encoding: rf.encoding, AcceptEncoding: rf.acceptEncoding, Metadata: rf.md}, nil, nil
}

// nonGRPCStatus is the status of a response that is not gRPC, per
// PROTOCOL-HTTP2.md and doc/http-grpc-status-mapping.md.
func (rf *responseFields) nonGRPCStatus(grpcCT bool) *Status {
	code := Unknown
	msg := ""
	if rf.httpStatus != http.StatusOK {
		code = HTTPStatusToCode(rf.httpStatus)
		msg = "unexpected HTTP status code received from server: " + strconv.Itoa(rf.httpStatus) + " (" + http.StatusText(rf.httpStatus) + ")"
	}
	if !rf.hasCT || !grpcCT {
		if msg != "" {
			msg += "; "
		}
		msg += "unexpected content-type " + strconv.Quote(rf.contentType)
	}
	return NewStatus(code, msg)
}
