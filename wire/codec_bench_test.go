package wire

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Benchmarks of the encodings on every call's path, beside bench_test.go's (message
// framing of one 1 KiB message, request headers):
//
//	go test ./wire -bench . -benchmem -run '^$'

// BenchmarkEncodeMessage marshals a protobuf message and frames it, as every send does.
func BenchmarkEncodeMessage(b *testing.B) {
	for _, size := range []int{0, 1 << 10, 64 << 10} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			m := wrapperspb.Bytes(make([]byte, size))
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := EncodeMessage(m, nil, 4<<20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecoderManyPerChunk decodes 16 framed 1 KiB messages delivered in one chunk, as
// a DATA frame of a busy server stream carries them.
func BenchmarkDecoderManyPerChunk(b *testing.B) {
	var chunk []byte
	for range 16 {
		chunk = AppendMessage(chunk, bytes.Repeat([]byte{1}, 1<<10), false)
	}
	var d Decoder
	b.ReportAllocs()
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		d.Feed(chunk)
		for range 16 {
			if _, _, ok, err := d.Next(); !ok || err != nil {
				b.Fatalf("Next: ok=%v err=%v", ok, err)
			}
		}
	}
}

var (
	benchResponse = &ResponseHeaders{ContentSubtype: "proto", AcceptEncoding: "gzip", Metadata: Metadata{"x-server": {"a"}}}
	benchTrailers = map[string]*Trailers{
		"ok":    {},
		"error": {Status: NewStatus(NotFound, "no such user: «Zoë» (id 42%)"), Metadata: Metadata{"x-trace-bin": {"\x00\x01\x02"}}},
	}
)

func BenchmarkAppendResponseHeaders(b *testing.B) {
	dst := make([]hpack.HeaderField, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = AppendResponseHeaders(dst[:0], benchResponse); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseResponseHeaders(b *testing.B) {
	fields, err := AppendResponseHeaders(nil, benchResponse)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if h, _, err := ParseResponseHeaders(fields, false); h == nil || err != nil {
			b.Fatalf("ParseResponseHeaders: %v, %v", h, err)
		}
	}
}

func BenchmarkAppendTrailers(b *testing.B) {
	for _, name := range []string{"ok", "error"} {
		b.Run(name, func(b *testing.B) {
			dst := make([]hpack.HeaderField, 0, 16)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if dst, err = AppendTrailers(dst[:0], benchTrailers[name]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseTrailers(b *testing.B) {
	for _, name := range []string{"ok", "error"} {
		b.Run(name, func(b *testing.B) {
			fields, err := AppendTrailers(nil, benchTrailers[name])
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseTrailers(fields); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTimeout(b *testing.B) {
	for _, d := range []time.Duration{250 * time.Millisecond, 5 * time.Second, 100 * time.Hour} {
		s := EncodeTimeout(d)
		b.Run("encode/"+s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = EncodeTimeout(d)
			}
		})
		b.Run("decode/"+s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeTimeout(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGrpcMessage percent-encodes and decodes grpc-message values: plain ASCII (the
// common case, passed through) and text that needs escaping.
func BenchmarkGrpcMessage(b *testing.B) {
	for _, tc := range []struct{ name, msg string }{
		{"ascii", "user not found: id 42"},
		{"escaped", "no such user: «Zoë» (id 42%)\nretry later"},
	} {
		enc := EncodeGrpcMessage(tc.msg)
		b.Run("encode/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = EncodeGrpcMessage(tc.msg)
			}
		})
		b.Run("decode/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if DecodeGrpcMessage(enc) != tc.msg {
					b.Fatal("round trip changed the message")
				}
			}
		})
	}
}
