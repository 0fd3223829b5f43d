package wire

import (
	"bytes"
	"testing"
	"time"

	"golang.org/x/net/http2/hpack"
)

func BenchmarkAppendMessage(b *testing.B) {
	payload := bytes.Repeat([]byte{1}, 1024)
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		buf = AppendMessage(buf[:0], payload, false)
	}
}

func BenchmarkDecoder(b *testing.B) {
	for _, tc := range []struct {
		name  string
		size  int
		chunk int
	}{
		{"1KiB/one-chunk", 1024, 0},
		{"64KiB/16KiB-chunks", 64 << 10, 16 << 10},
	} {
		b.Run(tc.name, func(b *testing.B) {
			stream := AppendMessage(nil, bytes.Repeat([]byte{1}, tc.size), false)
			var d Decoder
			b.ReportAllocs()
			b.SetBytes(int64(len(stream)))
			for b.Loop() {
				if tc.chunk == 0 {
					d.Feed(stream)
				} else {
					for i := 0; i < len(stream); i += tc.chunk {
						d.Feed(stream[i:min(i+tc.chunk, len(stream))])
					}
				}
				if _, _, ok, err := d.Next(); !ok || err != nil {
					b.Fatalf("Next: ok=%v err=%v", ok, err)
				}
			}
		})
	}
}

var benchRequest = &RequestHeaders{
	Path: "/pkg.Service/Method", Authority: "localhost:8080", ContentSubtype: "proto",
	Timeout: 5 * time.Second, HasTimeout: true, UserAgent: "actorrpc-go/1.0", AcceptEncoding: "gzip",
	Metadata: Metadata{"x-request-id": {"abc123"}, "authorization": {"Bearer token"}},
}

func BenchmarkAppendRequestHeaders(b *testing.B) {
	dst := make([]hpack.HeaderField, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = AppendRequestHeaders(dst[:0], benchRequest); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRequestHeaders(b *testing.B) {
	fields, err := AppendRequestHeaders(nil, benchRequest)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, herr := ParseRequestHeaders(fields); herr != nil {
			b.Fatal(herr)
		}
	}
}
