package actorrpc_test

import (
	"context"
	"io"
	"testing"

	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// Stream benchmarks, for each runtime of benchRuntimes over a loopback TCP connection in
// this process (see bench_ext_test.go): one op is one 1 KiB message sent or received on one
// long-lived stream, or one ping-pong round trip.
//
//	go test -bench Stream -benchmem -run '^$'

const benchStreamSize = 1 << 10

// BenchmarkStreamSend sends 1 KiB messages from client to server on one client-streaming
// call, then half-closes and waits for the server's count, so every message sent was also
// received.
func BenchmarkStreamSend(b *testing.B) {
	for _, rt := range benchRuntimes {
		b.Run(rt.name+"/1KiB", func(b *testing.B) {
			c := startBench(b, rt.start)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s, err := c.streamingInput(ctx)
			if err != nil {
				b.Fatal(err)
			}
			req := &testpb.StreamingInputCallRequest{Payload: benchPayload(benchStreamSize)}
			var resp testpb.StreamingInputCallResponse
			b.ReportAllocs()
			b.SetBytes(benchStreamSize)
			writes := benchWriteSyscalls()
			b.ResetTimer()
			for range b.N {
				if err := s.send(req); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.closeSend(); err != nil {
				b.Fatal(err)
			}
			if err := s.recv(&resp); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			reportWrites(b, writes)
			if want := int32(int64(b.N) * benchStreamSize); resp.GetAggregatedPayloadSize() != want {
				b.Fatalf("server received %d bytes; sent %d", resp.GetAggregatedPayloadSize(), want)
			}
		})
	}
}

// BenchmarkStreamRecv receives 1 KiB messages that the server sends as fast as it can on
// one server-streaming call; the client cancels the call at the end.
func BenchmarkStreamRecv(b *testing.B) {
	for _, rt := range benchRuntimes {
		b.Run(rt.name+"/1KiB", func(b *testing.B) {
			c := startBench(b, rt.start)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req := &testpb.StreamingOutputCallRequest{ResponseParameters: []*testpb.ResponseParameters{{Size: benchStreamSize}}}
			s, err := c.streamingOutput(ctx, req)
			if err != nil {
				b.Fatal(err)
			}
			var resp testpb.StreamingOutputCallResponse
			b.ReportAllocs()
			b.SetBytes(benchStreamSize)
			writes := benchWriteSyscalls()
			for b.Loop() {
				if err := s.recv(&resp); err != nil {
					b.Fatal(err)
				}
			}
			reportWrites(b, writes)
			if n := len(resp.GetPayload().GetBody()); n != benchStreamSize {
				b.Fatalf("got a %d-byte message; want %d", n, benchStreamSize)
			}
		})
	}
}

// BenchmarkStreamPingPong sends a 1 KiB request and waits for its 1 KiB response on one
// bidirectional call, again and again; an op is one round trip.
func BenchmarkStreamPingPong(b *testing.B) {
	for _, rt := range benchRuntimes {
		b.Run(rt.name+"/1KiB", func(b *testing.B) {
			c := startBench(b, rt.start)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s, err := c.fullDuplex(ctx)
			if err != nil {
				b.Fatal(err)
			}
			req := benchStreamRequest(benchStreamSize)
			var resp testpb.StreamingOutputCallResponse
			b.ReportAllocs()
			b.SetBytes(2 * benchStreamSize)
			writes := benchWriteSyscalls()
			for b.Loop() {
				if err := s.send(req); err != nil {
					b.Fatal(err)
				}
				if err := s.recv(&resp); err != nil {
					b.Fatal(err)
				}
			}
			reportWrites(b, writes)
			if err := s.closeSend(); err != nil {
				b.Fatal(err)
			}
			if err := s.recv(&resp); err != io.EOF {
				b.Fatalf("after CloseSend: %v; want io.EOF", err)
			}
		})
	}
}
