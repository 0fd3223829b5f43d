package wire

import (
	"strings"

	"google.golang.org/protobuf/proto"
)

// EncodeMessage encodes m behind a gRPC message prefix, compressed with comp when it is not
// nil (the compressed flag set). A payload larger than maxSend is RESOURCE_EXHAUSTED.
func EncodeMessage(m proto.Message, comp Compressor, maxSend int) ([]byte, error) {
	return encodeMessage(m, comp, maxSend, false)
}

// EncodeMessagePooled is EncodeMessage into a buffer that, for a message of 512 bytes or
// more (encodePoolMin), comes from the pool: the caller gives it back with ReleaseBuffer (or sends it in an
// actors.WriteStream with ReleaseData) once no one refers to it.
func EncodeMessagePooled(m proto.Message, comp Compressor, maxSend int) ([]byte, error) {
	return encodeMessage(m, comp, maxSend, true)
}

func encodeMessage(m proto.Message, comp Compressor, maxSend int, pooled bool) ([]byte, error) {
	if comp == nil {
		return marshalMessage(m, maxSend, pooled)
	}
	raw, err := proto.Marshal(m)
	if err != nil {
		return nil, Statusf(Internal, "grpc: error while marshaling: %v", err)
	}
	buf, err := comp.Compress(make([]byte, MessagePrefixLen, MessagePrefixLen+len(raw)/2+64), raw)
	if err != nil {
		return nil, Statusf(Internal, "grpc: error while compressing: %v", err)
	}
	n := len(buf) - MessagePrefixLen
	if n > maxSend {
		return nil, Statusf(ResourceExhausted, "grpc: trying to send message larger than max (%d vs. %d)", n, maxSend)
	}
	buf[0] = 1
	buf[1], buf[2], buf[3], buf[4] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return buf, nil
}

// AcceptsEncoding says whether a grpc-accept-encoding value lists name.
func AcceptsEncoding(accept, name string) bool {
	for _, a := range strings.Split(accept, ",") {
		if strings.TrimSpace(a) == name {
			return true
		}
	}
	return false
}

// MarshalMessage encodes m behind a gRPC message prefix in one buffer. A message larger
// than maxSend is RESOURCE_EXHAUSTED.
func MarshalMessage(m proto.Message, maxSend int) ([]byte, error) {
	return marshalMessage(m, maxSend, false)
}

func marshalMessage(m proto.Message, maxSend int, pooled bool) ([]byte, error) {
	opts := proto.MarshalOptions{}
	size := opts.Size(m)
	if size > maxSend {
		return nil, Statusf(ResourceExhausted, "grpc: trying to send message larger than max (%d vs. %d)", size, maxSend)
	}
	var buf []byte
	if n := MessagePrefixLen + size; pooled && n >= encodePoolMin && n <= poolMax {
		buf = largeBuffer(n)[:MessagePrefixLen] // ReleaseBuffer may give it back
	} else {
		buf = make([]byte, MessagePrefixLen, n)
	}
	buf, err := opts.MarshalAppend(buf, m)
	if err != nil {
		return nil, Statusf(Internal, "grpc: error while marshaling: %v", err)
	}
	n := len(buf) - MessagePrefixLen
	buf[0] = 0 // not compressed (a pooled buffer holds old bytes)
	buf[1], buf[2], buf[3], buf[4] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return buf, nil
}
