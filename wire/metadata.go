package wire

import (
	"encoding/base64"
	"slices"
	"strings"

	"golang.org/x/net/http2/hpack"
)

// Metadata is gRPC custom metadata: header (or trailer) names mapped to
// their values. Keys are lowercase. Values of keys ending in "-bin" hold the
// raw (decoded) bytes; they are base64-encoded on the wire.
type Metadata map[string][]string

// PROTOCOL-HTTP2.md:
//
//	Custom-Metadata → Binary-Header / ASCII-Header
//	Binary-Header → {Header-Name "-bin" } {base64 encoded value}
//	ASCII-Header → Header-Name ASCII-Value
//	Header-Name → 1*( %x30-39 / %x61-7A / "_" / "-" / ".") ; 0-9 a-z _ - .
//	ASCII-Value → 1*( %x20-%x7E ) ; space and printable ASCII

// ValidateMetadataKey reports whether k is a valid custom metadata key:
// non-empty and made only of 0-9, a-z, '-', '_' and '.'.
func ValidateMetadataKey(k string) error {
	if k == "" {
		return NewStatus(Internal, "wire: metadata key is empty")
	}
	for i := 0; i < len(k); i++ {
		if !isMetadataKeyByte(k[i]) {
			return Statusf(Internal, "wire: metadata key %q contains illegal characters not in [0-9a-z-_.]", k)
		}
	}
	return nil
}

func isMetadataKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// ValidateMetadataValue reports whether v is a valid value for key k: any
// bytes for binary keys, else only printable ASCII (0x20-0x7E).
func ValidateMetadataValue(k, v string) error {
	if IsBinaryKey(k) {
		return nil
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7E {
			return Statusf(Internal, "wire: metadata value for key %q contains illegal byte 0x%02x (want printable ASCII)", k, v[i])
		}
	}
	return nil
}

// IsBinaryKey reports whether k names binary metadata (ends in "-bin").
func IsBinaryKey(k string) bool {
	return strings.HasSuffix(k, "-bin")
}

// IsReservedHeader reports whether k is a header owned by the transport,
// which users must not set as metadata and which is not exposed to them as
// metadata. This is grpc-go's isReservedHeader (pseudo headers,
// content-type, user-agent, te, grpc-message-type, grpc-encoding,
// grpc-message, grpc-status, grpc-timeout, grpc-status-details-bin), plus
// grpc-accept-encoding, which the transport also sets, and the
// connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2: connection,
// keep-alive, proxy-connection, transfer-encoding, upgrade) and host, which
// HTTP/2 replaces with :authority. Like grpc-go, it does not reserve
// grpc-previous-rpc-attempts and grpc-retry-pushback-ms, whose API works
// through metadata.
//
// Note that the parsers still expose user-agent in incoming metadata, as
// grpc-go does.
func IsReservedHeader(k string) bool {
	if k != "" && k[0] == ':' {
		return true
	}
	switch k {
	case "content-type", "user-agent", "te",
		"grpc-message-type", "grpc-encoding", "grpc-accept-encoding",
		"grpc-message", "grpc-status", "grpc-timeout", "grpc-status-details-bin",
		"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host":
		return true
	}
	return false
}

// isConnectionSpecificHeader reports whether k is one of the fields RFC 9113
// §8.2.2 forbids in HTTP/2 ("An endpoint MUST NOT generate an HTTP/2
// message containing connection-specific header fields").
func isConnectionSpecificHeader(k string) bool {
	switch k {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
		return true
	}
	return false
}

// EncodeBinaryValue encodes the raw value of a "-bin" key for the wire:
// standard base64 without padding, as grpc-go sends it.
func EncodeBinaryValue(v string) string {
	return base64.RawStdEncoding.EncodeToString([]byte(v))
}

// DecodeBinaryValue decodes one base64 value of a "-bin" key. PROTOCOL-HTTP2.md:
// "Implementations MUST accept padded and un-padded values".
func DecodeBinaryValue(s string) (string, error) {
	var b []byte
	var err error
	if len(s)%4 == 0 {
		b, err = base64.StdEncoding.DecodeString(s)
	} else {
		b, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// decodeBinaryHeader decodes a "-bin" header value, which may hold several
// comma-separated base64 values (HTTP allows a receiver to join repeated
// fields with ","), appending them to vals.
func decodeBinaryHeader(vals []string, s string) ([]string, error) {
	for {
		part, rest, more := strings.Cut(s, ",")
		v, err := DecodeBinaryValue(strings.TrimSpace(part))
		if err != nil {
			return vals, err
		}
		vals = append(vals, v)
		if !more {
			return vals, nil
		}
		s = rest
	}
}

// AppendMetadata appends md to dst as header fields, one per value, keys in
// sorted order. Binary values are base64-encoded. Reserved keys (see
// IsReservedHeader) are skipped. An invalid key or value is an error (an
// INTERNAL *Status) and nothing is appended.
func AppendMetadata(dst []hpack.HeaderField, md Metadata) ([]hpack.HeaderField, error) {
	if len(md) == 0 {
		return dst, nil
	}
	var keysBuf [16]string
	keys := keysBuf[:0]
	for k := range md {
		if !IsReservedHeader(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := validatePairs(k, md[k]); err != nil {
			return dst, err
		}
	}
	for _, k := range keys {
		bin := IsBinaryKey(k)
		for _, v := range md[k] {
			if bin {
				v = EncodeBinaryValue(v)
			}
			dst = append(dst, hpack.HeaderField{Name: k, Value: v})
		}
	}
	return dst, nil
}

// metadataValues is how many header fields md makes at most (one per value).
func metadataValues(md Metadata) int {
	n := 0
	for _, vs := range md {
		n += len(vs)
	}
	return n
}

func validatePairs(k string, vs []string) error {
	if err := ValidateMetadataKey(k); err != nil {
		return err
	}
	for _, v := range vs {
		if err := ValidateMetadataValue(k, v); err != nil {
			return err
		}
	}
	return nil
}

// add appends a received value for key k, decoding binary values.
func (md Metadata) add(k, v string) error {
	if !IsBinaryKey(k) {
		md[k] = append(md[k], v)
		return nil
	}
	vals, err := decodeBinaryHeader(md[k], v)
	if err != nil {
		return Statusf(Internal, "malformed binary metadata %q in header %q: %v", v, k, err)
	}
	md[k] = vals
	return nil
}
