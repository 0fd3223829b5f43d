package wire

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Field numbers of google.rpc.Status:
//
//	message Status {
//	  int32 code = 1;
//	  string message = 2;
//	  repeated google.protobuf.Any details = 3;
//	}
//
// The message is encoded by hand so that this package never registers
// google/rpc/status.proto, which users often import through genproto.
const (
	statusFieldCode    protowire.Number = 1
	statusFieldMessage protowire.Number = 2
	statusFieldDetails protowire.Number = 3
)

// MarshalStatusProto serializes s as a google.rpc.Status message, the
// payload of the grpc-status-details-bin trailer. A message that is not
// valid UTF-8 has its invalid bytes replaced by U+FFFD, since proto3
// strings must be UTF-8 and peers reject them otherwise.
func MarshalStatusProto(s *Status) ([]byte, error) {
	var b []byte
	if c := s.Code(); c != OK {
		b = protowire.AppendTag(b, statusFieldCode, protowire.VarintType)
		// int32 fields are sign-extended to 64 bits on the wire.
		b = protowire.AppendVarint(b, uint64(int64(int32(c))))
	}
	if m := s.Message(); m != "" {
		b = protowire.AppendTag(b, statusFieldMessage, protowire.BytesType)
		b = protowire.AppendString(b, strings.ToValidUTF8(m, "\uFFFD"))
	}
	if s == nil {
		return b, nil
	}
	for i, d := range s.details {
		db, err := proto.MarshalOptions{Deterministic: true}.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("wire: marshal status detail %d: %w", i, err)
		}
		b = protowire.AppendTag(b, statusFieldDetails, protowire.BytesType)
		b = protowire.AppendBytes(b, db)
	}
	return b, nil
}

// UnmarshalStatusProto parses a serialized google.rpc.Status message.
// Unknown fields are skipped, as protobuf requires. The returned error is a
// plain error describing the malformed input.
func UnmarshalStatusProto(b []byte) (*Status, error) {
	s := &Status{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, fmt.Errorf("wire: google.rpc.Status: %w", protowire.ParseError(n))
		}
		b = b[n:]
		n, err := s.consumeField(num, typ, b)
		if err != nil {
			return nil, err
		}
		b = b[n:]
	}
	return s, nil
}

// consumeField decodes one field value of google.rpc.Status into s and
// returns how many bytes it used.
func (s *Status) consumeField(num protowire.Number, typ protowire.Type, b []byte) (int, error) {
	switch {
	case num == statusFieldCode && typ == protowire.VarintType:
		v, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return 0, fmt.Errorf("wire: google.rpc.Status.code: %w", protowire.ParseError(n))
		}
		s.code = Code(uint32(int32(v)))
		return n, nil
	case num == statusFieldMessage && typ == protowire.BytesType:
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return 0, fmt.Errorf("wire: google.rpc.Status.message: %w", protowire.ParseError(n))
		}
		s.message = string(v)
		return n, nil
	case num == statusFieldDetails && typ == protowire.BytesType:
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return 0, fmt.Errorf("wire: google.rpc.Status.details: %w", protowire.ParseError(n))
		}
		a := new(anypb.Any)
		if err := proto.Unmarshal(v, a); err != nil {
			return 0, fmt.Errorf("wire: google.rpc.Status.details: %w", err)
		}
		s.details = append(s.details, a)
		return n, nil
	case num == statusFieldCode || num == statusFieldMessage || num == statusFieldDetails:
		return 0, fmt.Errorf("wire: google.rpc.Status: field %d has wrong wire type %d", num, typ)
	default:
		n := protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return 0, fmt.Errorf("wire: google.rpc.Status: field %d: %w", num, protowire.ParseError(n))
		}
		return n, nil
	}
}
