// Package wire implements the gRPC over HTTP/2 wire protocol as pure data.
//
// It has no goroutines, performs no I/O and knows nothing about actors: it
// turns Go values into HTTP/2 header fields and length-prefixed message bytes
// and back, following grpc/grpc doc/PROTOCOL-HTTP2.md, with grpc-go as the
// reference for behaviour the document leaves open.
//
// The main pieces are:
//
//   - Code and Status: gRPC status codes and statuses (Status implements error).
//   - AppendMessage and Decoder: the Length-Prefixed-Message framing of DATA frames.
//   - AppendRequestHeaders / ParseRequestHeaders, AppendResponseHeaders /
//     ParseResponseHeaders, AppendTrailers / AppendTrailersOnly / ParseTrailers:
//     the HEADERS frames of a call, as hpack.HeaderField lists (before HPACK
//     encoding and after HPACK decoding).
//   - Metadata, grpc-timeout, grpc-message and grpc-status-details-bin codecs.
//   - Compressor and Gzip: message compression.
//
// Errors returned by parsers are *Status values that can be used directly as
// the status of the affected RPC.
package wire
