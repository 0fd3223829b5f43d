package wire

import "strings"

// Header names used by the protocol.
const (
	hdrMethod         = ":method"
	hdrScheme         = ":scheme"
	hdrPath           = ":path"
	hdrAuthority      = ":authority"
	hdrStatus         = ":status"
	hdrContentType    = "content-type"
	hdrTE             = "te"
	hdrUserAgent      = "user-agent"
	hdrHost           = "host"
	hdrTimeout        = "grpc-timeout"
	hdrEncoding       = "grpc-encoding"
	hdrAcceptEncoding = "grpc-accept-encoding"
	hdrGrpcStatus     = "grpc-status"
	hdrGrpcMessage    = "grpc-message"
	hdrStatusDetails  = "grpc-status-details-bin"
)

// PROTOCOL-HTTP2.md:
//
//	Content-Type → "content-type" "application/grpc" [("+proto" / "+json" / {custom})]
const (
	baseContentType  = "application/grpc"
	protoContentType = "application/grpc+proto"
)

// contentType returns the content-type for a content subtype ("" means
// plain application/grpc).
func contentType(subtype string) string {
	switch subtype {
	case "":
		return baseContentType
	case "proto":
		return protoContentType
	}
	return baseContentType + "+" + subtype
}

// parseContentType reports whether ct is a gRPC content-type and returns
// its subtype: "application/grpc" → "", "application/grpc+proto" →
// "proto", "application/grpc;charset=utf-8" → "" (parameters are
// ignored). Like grpc-go, the match is case-sensitive.
func parseContentType(ct string) (subtype string, ok bool) {
	if !strings.HasPrefix(ct, baseContentType) {
		return "", false
	}
	rest := ct[len(baseContentType):]
	switch {
	case rest == "":
		return "", true
	case rest[0] == ';':
		return "", true
	case rest[0] == '+':
		subtype, _, _ = strings.Cut(rest[1:], ";")
		return strings.TrimSpace(subtype), true
	}
	return "", false
}

// validFieldName reports whether name is a valid HTTP/2 field name for a
// regular (non-pseudo) field. RFC 9113 §8.2.1: "A field name MUST NOT
// contain characters in the ranges 0x00-0x20, 0x41-0x5a, or 0x7f-0xff";
// i.e. lowercase tokens.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isLowerTokenByte(name[i]) {
			return false
		}
	}
	return true
}

func isLowerTokenByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// validFieldValue implements RFC 9113 §8.2.1: "A field value MUST NOT
// contain the zero value (ASCII NUL, 0x00), line feed (ASCII LF, 0x0a), or
// carriage return (ASCII CR, 0x0d) at any position."
func validFieldValue(v string) bool {
	return strings.IndexByte(v, 0) < 0 && strings.IndexByte(v, '\n') < 0 && strings.IndexByte(v, '\r') < 0
}

// joinHeader joins repeated occurrences of a list-valued header with ",".
func joinHeader(old, v string) string {
	if old == "" {
		return v
	}
	return old + "," + v
}
