package wire

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"golang.org/x/net/http2/hpack"
)

// PROTOCOL-HTTP2.md:
//
//	Request → Request-Headers *Length-Prefixed-Message EOS
//	Request-Headers → Call-Definition *Custom-Metadata
//	Call-Definition → Method Scheme Path TE [Authority] [Timeout] Content-Type
//	                  [Message-Type] [Message-Encoding] [Message-Accept-Encoding] [User-Agent]
//	Method → ":method POST"
//	Path → ":path" "/" Service-Name "/" {method name}
//	TE → "te" "trailers" # Used to detect incompatible proxies

// RequestHeaders are the headers of a gRPC request.
type RequestHeaders struct {
	// Path is the ":path", "/pkg.Service/Method".
	Path string
	// Authority is the ":authority" (or, when receiving, a "host" header
	// when :authority is absent).
	Authority string
	// Scheme is the ":scheme", "http" or "https"; AppendRequestHeaders uses
	// "http" when it is empty.
	Scheme string
	// ContentSubtype is the part of content-type after "application/grpc+":
	// "" means "application/grpc", "proto" means "application/grpc+proto".
	ContentSubtype string
	// Timeout is the grpc-timeout; valid when HasTimeout.
	Timeout time.Duration
	// HasTimeout says whether the request has a grpc-timeout.
	HasTimeout bool
	// UserAgent is the user-agent header.
	UserAgent string
	// Encoding is the grpc-encoding of the request messages; "" means
	// identity and is not sent.
	Encoding string
	// AcceptEncoding is the grpc-accept-encoding, a comma-separated list of
	// encodings; not sent when empty.
	AcceptEncoding string
	// Metadata is the custom metadata. When sending, reserved keys are
	// skipped. When receiving, it holds all non-reserved headers plus
	// user-agent (as grpc-go exposes it); nil when there are none. After
	// ParseRequestHeadersLazy, read it with IncomingMetadata.
	Metadata Metadata

	// lazyFields, after ParseRequestHeadersLazy, are the request's fields whose
	// text metadata is not in Metadata yet (IncomingMetadata adds it).
	lazyFields []hpack.HeaderField
}

// IncomingMetadata returns Metadata, first adding the text metadata that
// ParseRequestHeadersLazy left in the fields (binary metadata, which it
// checks, is there already). It is not safe for concurrent use: call it from
// the one goroutine that owns h, or behind a set-once guard.
func (h *RequestHeaders) IncomingMetadata() Metadata {
	if h.lazyFields == nil {
		return h.Metadata
	}
	for _, f := range h.lazyFields {
		if isMetadataField(f.Name) && !IsBinaryKey(f.Name) {
			if h.Metadata == nil {
				h.Metadata = make(Metadata)
			}
			_ = h.Metadata.add(f.Name, f.Value) // text values were checked by the parse
		}
	}
	h.lazyFields = nil
	return h.Metadata
}

// isMetadataField says whether a regular request field is metadata: user-agent
// (as grpc-go exposes it) and every field that is not reserved.
func isMetadataField(name string) bool {
	if name == "" || name[0] == ':' {
		return false
	}
	return name == hdrUserAgent || !IsReservedHeader(name)
}

// AppendRequestHeaders appends the header fields of a request to dst, in
// the order :method, :scheme, :path, :authority (when not empty), content-type, te,
// grpc-timeout, grpc-encoding, grpc-accept-encoding, user-agent, then the
// metadata. An invalid path, header value or metadata is an error (an
// INTERNAL *Status).
func AppendRequestHeaders(dst []hpack.HeaderField, h *RequestHeaders) ([]hpack.HeaderField, error) {
	if err := checkRequestHeaders(h); err != nil {
		return dst, err
	}
	scheme := h.Scheme
	if scheme == "" {
		scheme = "http"
	}
	// One allocation for the whole list: the fields below, then one per metadata value.
	dst = slices.Grow(dst, maxRequestFields+metadataValues(h.Metadata))
	dst = append(dst,
		hpack.HeaderField{Name: hdrMethod, Value: http.MethodPost},
		hpack.HeaderField{Name: hdrScheme, Value: scheme},
		hpack.HeaderField{Name: hdrPath, Value: h.Path},
	)
	// Authority is optional in Call-Definition; an empty one is not sent.
	dst = appendIfSet(dst, hdrAuthority, h.Authority)
	dst = append(dst,
		hpack.HeaderField{Name: hdrContentType, Value: contentType(h.ContentSubtype)},
		hpack.HeaderField{Name: hdrTE, Value: "trailers"},
	)
	if h.HasTimeout {
		dst = append(dst, hpack.HeaderField{Name: hdrTimeout, Value: EncodeTimeout(h.Timeout)})
	}
	dst = appendIfSet(dst, hdrEncoding, h.Encoding)
	dst = appendIfSet(dst, hdrAcceptEncoding, h.AcceptEncoding)
	dst = appendIfSet(dst, hdrUserAgent, h.UserAgent)
	return AppendMetadata(dst, h.Metadata)
}

// maxRequestFields is how many fields AppendRequestHeaders writes besides metadata, at most.
const maxRequestFields = 10

func appendIfSet(dst []hpack.HeaderField, name, value string) []hpack.HeaderField {
	if value == "" {
		return dst
	}
	return append(dst, hpack.HeaderField{Name: name, Value: value})
}

// checkRequestHeaders validates what AppendRequestHeaders sends apart from
// metadata.
func checkRequestHeaders(h *RequestHeaders) error {
	if h.Path == "" || h.Path[0] != '/' {
		return Statusf(Internal, "wire: request path %q must start with \"/\"", h.Path)
	}
	for _, f := range [...]struct{ name, v string }{
		{hdrPath, h.Path}, {hdrAuthority, h.Authority}, {hdrScheme, h.Scheme},
		{hdrContentType, h.ContentSubtype}, {hdrEncoding, h.Encoding},
		{hdrAcceptEncoding, h.AcceptEncoding}, {hdrUserAgent, h.UserAgent},
	} {
		if err := ValidateMetadataValue(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// HeaderError is a request that cannot be served; it says how to answer it.
// When HTTPStatus is 0 the answer is a gRPC Trailers-Only response (HTTP
// 200) with Status. Otherwise the answer is that HTTP status (405, 415, 400,
// ...), with Status as grpc-status for clients that read it. HTTPStatus 400
// marks a malformed request (RFC 9113 §8.1.1), which the caller answers with
// RST_STREAM(PROTOCOL_ERROR) (see Malformed).
type HeaderError struct {
	HTTPStatus int
	Status     *Status
}

// Malformed reports whether the request is a malformed HTTP/2 request. RFC 9113
// §8.1.1: "Malformed requests or responses that are detected MUST be treated as
// a stream error (Section 5.4.2) of type PROTOCOL_ERROR." A well-formed request
// that is not gRPC (405, 415) is answered instead.
func (e *HeaderError) Malformed() bool { return e.HTTPStatus == http.StatusBadRequest }

// Error describes the error: "HTTP 415: rpc error: ..." or the status.
func (e *HeaderError) Error() string {
	if e.HTTPStatus == 0 {
		return e.Status.Error()
	}
	return "HTTP " + strconv.Itoa(e.HTTPStatus) + ": " + e.Status.Error()
}

// malformed returns the HeaderError for a malformed request.
func malformed(format string, args ...any) *HeaderError {
	return &HeaderError{HTTPStatus: http.StatusBadRequest, Status: Statusf(Internal, "malformed request: "+format, args...)}
}

// requestParser accumulates the fields of a request.
type requestParser struct {
	h             RequestHeaders
	method        string
	contentType   string
	timeout       string
	host          string
	seen          [4]bool // :method, :scheme, :path, :authority
	sawRegular    bool
	hasCT, hasTO  bool
	hosts         int
	deferredError *Status // first non-malformed error, reported last
	// vals backs the first single values of metadata keys, so that they cost no
	// allocation of their own (each is sliced with cap 1: an append copies).
	vals  [4]string
	nvals int
	// lazy leaves text metadata in the fields (ParseRequestHeadersLazy);
	// lazyText says there is some.
	lazy, lazyText bool
}

// ParseRequestHeaders parses the header fields of a request on the server
// side, after HPACK decoding. On failure it returns a HeaderError saying how
// to answer, checked in this order:
//
//   - malformed request (RFC 9113 §8.2, §8.3: pseudo-header after a regular
//     field, unknown, duplicated, missing or empty pseudo-header, invalid
//     field name such as uppercase, invalid field value, connection-specific
//     field, te other than "trailers"): HTTP 400, see HeaderError.Malformed;
//   - :method other than POST: HTTP 405;
//   - content-type missing or not application/grpc[+...|;...]: HTTP 415;
//   - :path not of the form "/service/method": 200 + UNIMPLEMENTED;
//   - malformed grpc-timeout or binary metadata: 200 + INTERNAL.
//
// A missing te is tolerated like grpc-go does.
func ParseRequestHeaders(fields []hpack.HeaderField) (*RequestHeaders, *HeaderError) {
	return parseRequestHeaders(fields, false)
}

// ParseRequestHeadersLazy is ParseRequestHeaders that leaves the text
// metadata in fields until IncomingMetadata asks for it (most handlers never
// do): fields must not change while h is in use. Binary metadata is decoded
// (and checked) at once.
func ParseRequestHeadersLazy(fields []hpack.HeaderField) (h *RequestHeaders, herr *HeaderError) {
	return parseRequestHeaders(fields, true)
}

func parseRequestHeaders(fields []hpack.HeaderField, lazy bool) (*RequestHeaders, *HeaderError) {
	p := &requestParser{lazy: lazy}
	for _, f := range fields {
		if herr := p.field(f); herr != nil {
			return nil, herr
		}
	}
	if herr := p.finish(); herr != nil {
		return nil, herr
	}
	if p.lazyText {
		p.h.lazyFields = fields
	}
	return &p.h, nil
}

func (p *requestParser) field(f hpack.HeaderField) *HeaderError {
	if f.Name != "" && f.Name[0] == ':' {
		return p.pseudo(f)
	}
	p.sawRegular = true
	if !validFieldName(f.Name) {
		return malformed("invalid header field name %q", f.Name)
	}
	if !validFieldValue(f.Value) {
		return malformed("invalid value for header field %q", f.Name)
	}
	if isConnectionSpecificHeader(f.Name) {
		return malformed("connection-specific header field %q", f.Name)
	}
	// RFC 9113 §8.2.2: "The only exception to this is the TE header field, which
	// MAY be present in an HTTP/2 request; when it is, it MUST NOT contain any
	// value other than "trailers"."
	if f.Name == hdrTE && f.Value != "trailers" {
		return malformed("te %q (only \"trailers\" is allowed)", f.Value)
	}
	p.regular(f)
	return nil
}

// pseudo handles a pseudo-header field. RFC 9113 §8.3: "All pseudo-header
// fields MUST appear in a field block before all regular field lines";
// "Endpoints MUST NOT generate pseudo-header fields other than those
// defined"; duplicated pseudo-headers make the request malformed.
func (p *requestParser) pseudo(f hpack.HeaderField) *HeaderError {
	if p.sawRegular {
		return malformed("pseudo-header %q after regular header fields", f.Name)
	}
	var i int
	switch f.Name {
	case hdrMethod:
		i, p.method = 0, f.Value
	case hdrScheme:
		i, p.h.Scheme = 1, f.Value
	case hdrPath:
		i, p.h.Path = 2, f.Value
	case hdrAuthority:
		i, p.h.Authority = 3, f.Value
	default:
		return malformed("unknown pseudo-header %q", f.Name)
	}
	if p.seen[i] {
		return malformed("duplicated pseudo-header %q", f.Name)
	}
	p.seen[i] = true
	if !validFieldValue(f.Value) {
		return malformed("invalid value for pseudo-header %q", f.Name)
	}
	return nil
}

func (p *requestParser) regular(f hpack.HeaderField) {
	switch f.Name {
	case hdrContentType:
		p.contentType, p.hasCT = f.Value, true
	case hdrTimeout:
		p.timeout, p.hasTO = f.Value, true
	case hdrEncoding:
		p.h.Encoding = f.Value
	case hdrAcceptEncoding:
		p.h.AcceptEncoding = joinHeader(p.h.AcceptEncoding, f.Value)
	case hdrHost:
		p.host = f.Value
		p.hosts++
	case hdrUserAgent:
		p.h.UserAgent = f.Value
		p.addMetadata(f)
	default:
		if !IsReservedHeader(f.Name) {
			p.addMetadata(f)
		}
	}
}

func (p *requestParser) addMetadata(f hpack.HeaderField) {
	if p.lazy && !IsBinaryKey(f.Name) {
		p.lazyText = true
		return
	}
	if p.h.Metadata == nil {
		p.h.Metadata = make(Metadata)
	}
	if i := p.nvals; i < len(p.vals) && !IsBinaryKey(f.Name) && p.h.Metadata[f.Name] == nil {
		p.vals[i] = f.Value
		p.h.Metadata[f.Name] = p.vals[i : i+1 : i+1]
		p.nvals++
		return
	}
	if err := p.h.Metadata.add(f.Name, f.Value); err != nil && p.deferredError == nil {
		p.deferredError = err.(*Status)
	}
}

// finish applies the request-wide checks, in the order documented on
// ParseRequestHeaders.
func (p *requestParser) finish() *HeaderError {
	if herr := p.checkMalformed(); herr != nil {
		return herr
	}
	if p.method != http.MethodPost {
		return &HeaderError{HTTPStatus: http.StatusMethodNotAllowed,
			Status: Statusf(Internal, "invalid gRPC request method %q (want POST)", p.method)}
	}
	subtype, ok := parseContentType(p.contentType)
	if !p.hasCT || !ok {
		return &HeaderError{HTTPStatus: http.StatusUnsupportedMediaType,
			Status: Statusf(Internal, "invalid gRPC request content-type %q", p.contentType)}
	}
	p.h.ContentSubtype = subtype
	if !validMethodPath(p.h.Path) {
		return &HeaderError{Status: Statusf(Unimplemented, "malformed method name: %q", p.h.Path)}
	}
	if p.hasTO {
		d, err := DecodeTimeout(p.timeout)
		if err != nil {
			return &HeaderError{Status: Statusf(Internal, "transport: malformed grpc-timeout: %v", err)}
		}
		p.h.Timeout, p.h.HasTimeout = d, true
	}
	if p.deferredError != nil {
		return &HeaderError{Status: p.deferredError}
	}
	return nil
}

// checkMalformed applies the request-wide rules of RFC 9113 §8.3.1: "All
// HTTP/2 requests MUST include exactly one valid value for the :method,
// :scheme, and :path pseudo-header fields, unless they are CONNECT requests"
// and ":path ... MUST NOT be empty for "http" or "https" URIs". It also
// resolves the authority: a single host header stands in for a missing
// :authority.
func (p *requestParser) checkMalformed() *HeaderError {
	if !p.seen[0] {
		return malformed("missing :method")
	}
	if p.method == http.MethodConnect {
		// RFC 9113 §8.5: "The :scheme and :path pseudo-header fields MUST be
		// omitted" and ":authority ... contains the host and port to connect to".
		if p.seen[1] || p.seen[2] || !p.seen[3] {
			return malformed("CONNECT with :scheme or :path, or without :authority")
		}
		return nil
	}
	if !p.seen[1] {
		return malformed("missing :scheme")
	}
	if !p.seen[2] {
		return malformed("missing :path")
	}
	if p.h.Path == "" {
		return malformed("empty :path")
	}
	if p.hosts > 1 {
		return malformed("more than one host header")
	}
	if !p.seen[3] && p.hosts == 1 {
		p.h.Authority = p.host
	}
	return nil
}

// validMethodPath reports whether path is "/service/method".
func validMethodPath(path string) bool {
	if len(path) < 2 || path[0] != '/' {
		return false
	}
	for i := 1; i < len(path); i++ {
		if path[i] == '/' {
			return true
		}
	}
	return false
}
