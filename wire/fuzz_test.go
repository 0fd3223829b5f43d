package wire

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func FuzzDecodeTimeout(f *testing.F) {
	for _, d := range []time.Duration{0, 1, time.Second, 90 * time.Minute, 1<<63 - 1} {
		f.Add(EncodeTimeout(d))
	}
	f.Add("99999999H")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := DecodeTimeout(s)
		if err != nil {
			return
		}
		require.GreaterOrEqual(t, d, time.Duration(0))
		// What decodes re-encodes to a value no shorter.
		d2, err := DecodeTimeout(EncodeTimeout(d))
		require.NoError(t, err)
		require.GreaterOrEqual(t, d2, d)
	})
}

func FuzzDecodeGrpcMessage(f *testing.F) {
	for _, s := range []string{"", "plain", "100%", "ü\n", "%zz%4"} {
		f.Add(s)
		f.Add(EncodeGrpcMessage(s))
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := EncodeGrpcMessage(s)
		require.Equal(t, s, DecodeGrpcMessage(enc), "round trip")
		require.NoError(t, ValidateMetadataValue("grpc-message", enc))
		_ = DecodeGrpcMessage(s)
	})
}

func FuzzDecodeBinaryValue(f *testing.F) {
	for _, s := range []string{"", "a", "ab", "abc", "\x00\xff"} {
		f.Add(EncodeBinaryValue(s))
	}
	f.Add("YQ==")
	f.Fuzz(func(t *testing.T, s string) {
		raw, err := DecodeBinaryValue(s)
		if err != nil {
			return
		}
		back, err := DecodeBinaryValue(EncodeBinaryValue(raw))
		require.NoError(t, err)
		require.Equal(t, raw, back)
	})
}

func FuzzDecoder(f *testing.F) {
	var stream []byte
	stream = AppendMessage(stream, []byte("hello"), false)
	stream = AppendMessage(stream, nil, true)
	f.Add(stream, uint8(3), uint16(100))
	f.Add(AppendMessage(nil, bytes.Repeat([]byte{1}, 300), false), uint8(7), uint16(200))
	f.Add([]byte{2, 0, 0, 0, 0}, uint8(1), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8, maxSize uint16) {
		d := &Decoder{MaxSize: int(maxSize)}
		n := int(chunk)%16 + 1
		var got [][]byte
		for i := 0; i < len(data); i += n {
			d.Feed(data[i:min(i+n, len(data))])
			for {
				p, _, ok, err := d.Next()
				if !ok || err != nil {
					break
				}
				got = append(got, p)
			}
		}
		// Reference: parse data in one go.
		var want [][]byte
		rest := data
		limit := int(maxSize)
		if limit == 0 {
			limit = DefaultMaxRecvMessageSize
		}
		for len(rest) >= MessagePrefixLen && rest[0] <= 1 {
			l := int(binary.BigEndian.Uint32(rest[1:]))
			if l > limit || len(rest) < MessagePrefixLen+l {
				break
			}
			want = append(want, rest[MessagePrefixLen:MessagePrefixLen+l])
			rest = rest[MessagePrefixLen+l:]
		}
		require.Equal(t, len(want), len(got), "message count")
		for i := range want {
			require.Equal(t, want[i], got[i])
		}
		_ = d.Finish()
		// Re-encoding what was decoded reproduces the consumed input.
		var re []byte
		for _, p := range got {
			re = AppendMessage(re, p, false)
		}
		require.Equal(t, len(data)-len(rest), len(re))
	})
}

func FuzzUnmarshalStatusProto(f *testing.F) {
	s, _ := NewStatus(NotFound, "x").WithDetails(wrapperspb.String("d"))
	for _, st := range []*Status{nil, NewStatus(Internal, "boom"), s} {
		b, err := MarshalStatusProto(st)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := UnmarshalStatusProto(b)
		if err != nil {
			return
		}
		b2, err := MarshalStatusProto(st)
		if err != nil {
			return // e.g. an Any that cannot be re-marshalled
		}
		st2, err := UnmarshalStatusProto(b2)
		require.NoError(t, err)
		require.Equal(t, st.Code(), st2.Code())
		require.Equal(t, strings.ToValidUTF8(st.Message(), "\uFFFD"), st2.Message())
		require.Equal(t, len(st.Details()), len(st2.Details()))
	})
}

// fieldsToBytes and bytesToFields let the fuzzer mutate header lists: one
// field per line, "name\x00value".
func fieldsToBytes(fields []hpack.HeaderField) []byte {
	var b []byte
	for _, f := range fields {
		b = append(b, f.Name...)
		b = append(b, 0)
		b = append(b, f.Value...)
		b = append(b, '\n')
	}
	return b
}

func bytesToFields(b []byte) []hpack.HeaderField {
	var out []hpack.HeaderField
	for _, line := range bytes.Split(b, []byte("\n")) {
		name, value, _ := bytes.Cut(line, []byte{0})
		out = append(out, hpack.HeaderField{Name: string(name), Value: string(value)})
	}
	return out
}

func FuzzParseRequestHeaders(f *testing.F) {
	for _, h := range []*RequestHeaders{
		{Path: "/s/m"},
		{Path: "/p.S/M", Authority: "a", Scheme: "https", ContentSubtype: "proto", Timeout: time.Second, HasTimeout: true,
			UserAgent: "ua", Encoding: "gzip", AcceptEncoding: "gzip", Metadata: Metadata{"k": {"v"}, "b-bin": {"\x00"}}},
	} {
		fields, err := AppendRequestHeaders(nil, h)
		require.NoError(f, err)
		f.Add(fieldsToBytes(fields))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, herr := ParseRequestHeaders(bytesToFields(b))
		// The lazy parse answers the same, and its metadata, once built, is the same.
		lazy, lazyErr := ParseRequestHeadersLazy(bytesToFields(b))
		require.Equal(t, herr == nil, lazyErr == nil, "eager %v, lazy %v", herr, lazyErr)
		if herr != nil {
			require.Equal(t, herr.Status.Code(), lazyErr.Status.Code())
			require.Equal(t, herr.HTTPStatus, lazyErr.HTTPStatus)
		} else {
			require.Equal(t, h.Metadata, lazy.IncomingMetadata())
		}
		if herr != nil {
			require.NotNil(t, herr.Status)
			require.NotEqual(t, OK, herr.Status.Code())
			return
		}
		// Whatever parses re-encodes, and parses again to the same value.
		fields, err := AppendRequestHeaders(nil, h)
		if err != nil {
			return // received values may be outside what we send (e.g. non-ASCII metadata)
		}
		h2, herr := ParseRequestHeaders(fields)
		require.Nil(t, herr, "%v", herr)
		require.Equal(t, h.Path, h2.Path)
		require.Equal(t, h.Authority, h2.Authority)
		require.Equal(t, h.ContentSubtype, h2.ContentSubtype)
		require.Equal(t, h.Encoding, h2.Encoding)
		require.Equal(t, h.AcceptEncoding, h2.AcceptEncoding)
		require.Equal(t, h.UserAgent, h2.UserAgent)
		require.Equal(t, h.HasTimeout, h2.HasTimeout)
		require.GreaterOrEqual(t, h2.Timeout, h.Timeout, "timeouts never shrink")
		for k, v := range h.Metadata {
			if k != "user-agent" { // several user-agent fields collapse into UserAgent
				require.Equal(t, v, h2.Metadata[k], "metadata %q", k)
			}
		}
	})
}

func responseSeeds(f *testing.F) [][]hpack.HeaderField {
	st, err := NewStatus(NotFound, "no 100%").WithDetails(wrapperspb.String("d"))
	require.NoError(f, err)
	hdrs, err := AppendResponseHeaders(nil, &ResponseHeaders{ContentSubtype: "proto", Encoding: "gzip", Metadata: Metadata{"k": {"v"}}})
	require.NoError(f, err)
	only, err := AppendTrailersOnly(nil, nil, &Trailers{Status: st, Metadata: Metadata{"t-bin": {"\x01"}}})
	require.NoError(f, err)
	tr, err := AppendTrailers(nil, &Trailers{Status: st})
	require.NoError(f, err)
	return [][]hpack.HeaderField{hdrs, only, tr, hf(":status", "404", "content-type", "text/html")}
}

func FuzzParseResponseHeaders(f *testing.F) {
	for _, s := range responseSeeds(f) {
		f.Add(fieldsToBytes(s), false)
		f.Add(fieldsToBytes(s), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, endStream bool) {
		h, tr, err := ParseResponseHeaders(bytesToFields(b), endStream)
		switch {
		case err != nil:
			require.Equal(t, Internal, CodeOf(err))
		case tr != nil:
			require.NotNil(t, tr.Status)
			fields, err := AppendTrailersOnly(nil, h, tr)
			if err == nil {
				_, tr2, err := ParseResponseHeaders(fields, true)
				require.NoError(t, err)
				require.Equal(t, tr.Status.Code(), tr2.Status.Code())
			}
		case endStream:
			require.Nil(t, h, "END_STREAM must end the response")
		}
	})
}

func FuzzParseTrailers(f *testing.F) {
	for _, s := range responseSeeds(f) {
		f.Add(fieldsToBytes(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := ParseTrailers(bytesToFields(b))
		if err != nil {
			require.Equal(t, Internal, CodeOf(err))
			return
		}
		fields, err := AppendTrailers(nil, tr)
		if err != nil {
			return
		}
		tr2, err := ParseTrailers(fields)
		require.NoError(t, err)
		require.Equal(t, tr.Status.Code(), tr2.Status.Code())
		require.Equal(t, len(tr.Status.Details()), len(tr2.Status.Details()))
	})
}

func FuzzGzipDecompress(f *testing.F) {
	for _, s := range []string{"", "hello", strings.Repeat("ab", 1000)} {
		c, err := Gzip.Compress(nil, []byte(s))
		require.NoError(f, err)
		f.Add(c, uint16(len(s)))
		f.Add(c, uint16(3))
	}
	f.Fuzz(func(t *testing.T, src []byte, maxSize uint16) {
		limit := int(maxSize) + 1
		out, err := Gzip.Decompress(nil, src, limit)
		if err != nil {
			c := CodeOf(err)
			require.True(t, c == Internal || c == ResourceExhausted, "got %v", c)
			return
		}
		require.LessOrEqual(t, len(out), limit)
		c, err := Gzip.Compress(nil, out)
		require.NoError(t, err)
		back, err := Gzip.Decompress(nil, c, limit)
		require.NoError(t, err)
		require.Equal(t, out, back)
	})
}
