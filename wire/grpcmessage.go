package wire

import "strings"

// PROTOCOL-HTTP2.md:
//
//	Status-Message → "grpc-message" Percent-Encoded
//	Percent-Encoded → 1*(Percent-Byte-Unencoded / Percent-Byte-Encoded)
//	Percent-Byte-Unencoded → 1*( %x20-%x24 / %x26-%x7E ) ; space and VCHAR, except %
//	Percent-Byte-Encoded → "%" 2HEXDIGIT ; 0-9 A-F
//
// "When decoding invalid values, implementations MUST NOT error or throw
// away the message. At worst, the implementation can abort decoding the
// status message altogether such that the user would received the raw
// percent-encoded form."

const upperHex = "0123456789ABCDEF"

func needsPercentEncoding(c byte) bool {
	return c < 0x20 || c > 0x7E || c == '%'
}

// EncodeGrpcMessage percent-encodes s for the grpc-message trailer: bytes
// outside 0x20-0x7E and '%' itself become %XX (uppercase hex). UTF-8 text is
// encoded byte by byte.
func EncodeGrpcMessage(s string) string {
	i := 0
	for i < len(s) && !needsPercentEncoding(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*(len(s)-i))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if needsPercentEncoding(c) {
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&0xF])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// DecodeGrpcMessage decodes a percent-encoded grpc-message value. It is
// lenient: a '%' not followed by two hex digits (either case) is kept
// literally, and other bytes pass through unchanged.
func DecodeGrpcMessage(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
