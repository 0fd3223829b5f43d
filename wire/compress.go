package wire

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
)

// PROTOCOL-HTTP2.md:
//
//	Message-Encoding → "grpc-encoding" Content-Coding
//	Content-Coding → "identity" / "gzip" / "deflate" / "snappy" / {custom}
//	Message-Accept-Encoding → "grpc-accept-encoding" Content-Coding *("," Content-Coding)

// Compressor compresses and decompresses message payloads for one
// grpc-encoding. Implementations must be safe for concurrent use.
type Compressor interface {
	// Name is the grpc-encoding name, e.g. "gzip".
	Name() string
	// Compress appends the compressed form of src to dst.
	Compress(dst, src []byte) ([]byte, error)
	// Decompress appends the decompressed form of src to dst. If the
	// output would exceed maxSize bytes it stops inflating and returns a
	// RESOURCE_EXHAUSTED *Status; corrupt input is an INTERNAL *Status.
	Decompress(dst, src []byte, maxSize int) ([]byte, error)
}

// Gzip is the "gzip" Compressor. It pools its gzip writers and readers.
var Gzip Compressor = &gzipCompressor{}

// CompressorByName returns the Compressor for a grpc-encoding name: Gzip for
// "gzip", nil for "" and "identity" (no compression) and for unknown names.
// A caller receiving an unknown grpc-encoding should answer UNIMPLEMENTED.
func CompressorByName(name string) Compressor {
	if name == "gzip" {
		return Gzip
	}
	return nil
}

// AcceptEncodingHeader formats a grpc-accept-encoding value from encoding
// names, comma-separated without spaces like grpc-go: ("gzip") → "gzip",
// ("gzip", "deflate") → "gzip,deflate".
func AcceptEncodingHeader(names ...string) string {
	return strings.Join(names, ",")
}

// maxDeflateRatio bounds how much deflate can expand its input (1032:1, with margin).
const maxDeflateRatio = 1100

type gzipCompressor struct {
	writers sync.Pool // *gzip.Writer
	readers sync.Pool // *gzip.Reader
}

// Name implements Compressor.
func (*gzipCompressor) Name() string { return "gzip" }

// appendWriter is an io.Writer appending to a byte slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// Compress implements Compressor.
func (g *gzipCompressor) Compress(dst, src []byte) ([]byte, error) {
	w := &appendWriter{b: dst}
	zw, _ := g.writers.Get().(*gzip.Writer)
	if zw == nil {
		zw = gzip.NewWriter(w)
	} else {
		zw.Reset(w)
	}
	defer g.writers.Put(zw)
	if _, err := zw.Write(src); err != nil {
		return dst, err
	}
	if err := zw.Close(); err != nil {
		return dst, err
	}
	zw.Reset(io.Discard) // drop the reference to w
	return w.b, nil
}

// Decompress implements Compressor; maxSize <= 0 means
// DefaultMaxRecvMessageSize.
func (g *gzipCompressor) Decompress(dst, src []byte, maxSize int) ([]byte, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxRecvMessageSize
	}
	// RFC 1952 §2.3: the last four bytes (ISIZE) are the uncompressed size mod 2^32, and
	// deflate cannot expand more than 1032:1. A bomb that honestly announces more than the
	// limit is refused before inflating anything; an honest size sizes the buffer once.
	// A lying or truncated trailer is only a hint: the limit below still holds.
	if len(src) >= 18 {
		isize := int64(binary.LittleEndian.Uint32(src[len(src)-4:]))
		plausible := isize <= maxDeflateRatio*int64(len(src))
		if plausible && isize > int64(maxSize) {
			return dst, Statusf(ResourceExhausted, "grpc: received message after decompression larger than max (%d vs. %d)", isize, maxSize)
		}
		if plausible {
			dst = slices.Grow(dst, int(isize)+1)
		}
	}
	zr, err := g.reader(src)
	if err != nil {
		return dst, Statusf(Internal, "grpc: failed to decompress the received message: %v", err)
	}
	defer g.release(zr)
	start := len(dst)
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		// Never read more than one byte past the limit (zip bombs).
		room := min(cap(dst)-len(dst), maxSize-(len(dst)-start)+1)
		n, err := zr.Read(dst[len(dst) : len(dst)+room])
		dst = dst[:len(dst)+n]
		if len(dst)-start > maxSize {
			return dst[:start], Statusf(ResourceExhausted, "grpc: received message after decompression larger than max %d", maxSize)
		}
		if errors.Is(err, io.EOF) {
			return dst, nil
		}
		if err != nil {
			return dst[:start], Statusf(Internal, "grpc: failed to decompress the received message: %v", err)
		}
	}
}

// eofReader is an empty flate.Reader, used to drop a pooled gzip.Reader's
// reference to the last input without allocating.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
func (eofReader) ReadByte() (byte, error)  { return 0, io.EOF }

func (g *gzipCompressor) release(zr *gzip.Reader) {
	_ = zr.Reset(eofReader{}) // fails with io.EOF by design
	g.readers.Put(zr)
}

func (g *gzipCompressor) reader(src []byte) (*gzip.Reader, error) {
	zr, _ := g.readers.Get().(*gzip.Reader)
	if zr == nil {
		return gzip.NewReader(bytes.NewReader(src))
	}
	if err := zr.Reset(bytes.NewReader(src)); err != nil {
		g.release(zr)
		return nil, err
	}
	return zr, nil
}
