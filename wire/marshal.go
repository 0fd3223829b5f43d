package wire

import "google.golang.org/protobuf/proto"

// MarshalMessage encodes m behind a gRPC message prefix in one buffer. A message larger
// than maxSend is RESOURCE_EXHAUSTED.
func MarshalMessage(m proto.Message, maxSend int) ([]byte, error) {
	opts := proto.MarshalOptions{}
	size := opts.Size(m)
	if size > maxSend {
		return nil, Statusf(ResourceExhausted, "grpc: trying to send message larger than max (%d vs. %d)", size, maxSend)
	}
	buf := make([]byte, MessagePrefixLen, MessagePrefixLen+size)
	buf, err := opts.MarshalAppend(buf, m)
	if err != nil {
		return nil, Statusf(Internal, "grpc: error while marshaling: %v", err)
	}
	n := len(buf) - MessagePrefixLen
	buf[1], buf[2], buf[3], buf[4] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return buf, nil
}
