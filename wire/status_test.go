package wire

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func TestStatusBasics(t *testing.T) {
	s := NewStatus(NotFound, "no user")
	assert.Equal(t, NotFound, s.Code())
	assert.Equal(t, "no user", s.Message())
	assert.Equal(t, "rpc error: code = NOT_FOUND desc = no user", s.Error())
	assert.Same(t, s, s.Err())
	assert.Nil(t, s.Details())

	assert.Nil(t, NewStatus(OK, "fine").Err())
	assert.Equal(t, "rpc error: code = INVALID_ARGUMENT desc = bad 7", Statusf(InvalidArgument, "bad %d", 7).Error())

	var nilStatus *Status
	assert.Equal(t, OK, nilStatus.Code())
	assert.Empty(t, nilStatus.Message())
	assert.Nil(t, nilStatus.Details())
	assert.NoError(t, nilStatus.Err())
}

func TestStatusWithDetails(t *testing.T) {
	s := NewStatus(InvalidArgument, "bad")
	d1, err := s.WithDetails(wrapperspb.String("a"))
	require.NoError(t, err)
	d2, err := d1.WithDetails(durationpb.New(3))
	require.NoError(t, err)
	assert.Empty(t, s.Details(), "WithDetails must not modify the receiver")
	assert.Len(t, d1.Details(), 1)
	require.Len(t, d2.Details(), 2)
	var got wrapperspb.StringValue
	require.NoError(t, d2.Details()[0].UnmarshalTo(&got))
	assert.Equal(t, "a", got.GetValue())
	assert.Equal(t, InvalidArgument, d2.Code())
	assert.Equal(t, "bad", d2.Message())

	_, err = NewStatus(OK, "").WithDetails(wrapperspb.String("a"))
	assert.Error(t, err)
	_, err = (*Status)(nil).WithDetails(wrapperspb.String("a"))
	assert.Error(t, err)
}

type grpcStatusErr struct{ s *Status }

func (e grpcStatusErr) Error() string       { return "custom" }
func (e grpcStatusErr) GRPCStatus() *Status { return e.s }

func TestFromError(t *testing.T) {
	notFound := NewStatus(NotFound, "x")
	tests := []struct {
		name    string
		err     error
		code    Code
		message string
		ok      bool
	}{
		{"nil", nil, OK, "", true},
		{"status", notFound, NotFound, "x", true},
		{"wrapped status", fmt.Errorf("ctx: %w", notFound), NotFound, "x", true},
		{"GRPCStatus", grpcStatusErr{NewStatus(Aborted, "y")}, Aborted, "y", true},
		{"GRPCStatus nil", grpcStatusErr{}, Unknown, "custom", false},
		{"deadline", context.DeadlineExceeded, DeadlineExceeded, context.DeadlineExceeded.Error(), true},
		{"canceled wrapped", fmt.Errorf("op: %w", context.Canceled), Canceled, "op: context canceled", true},
		{"other", errors.New("boom"), Unknown, "boom", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := FromError(tt.err)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.code, s.Code(), "got code %v; want %v", s.Code(), tt.code)
			assert.Equal(t, tt.message, s.Message())
			assert.Equal(t, tt.code, CodeOf(tt.err))
		})
	}
	s, _ := FromError(notFound)
	assert.Same(t, notFound, s)
}

func TestStatusProtoRoundTrip(t *testing.T) {
	base := NewStatus(PermissionDenied, "nope ü")
	withDetails, err := base.WithDetails(wrapperspb.String("a"), wrapperspb.Int64(-5))
	require.NoError(t, err)
	tests := []*Status{
		nil,
		NewStatus(OK, ""),
		base,
		withDetails,
		NewStatus(Code(1<<31), "negative int32"),
	}
	for _, s := range tests {
		b, err := MarshalStatusProto(s)
		require.NoError(t, err)
		got, err := UnmarshalStatusProto(b)
		require.NoError(t, err)
		assertSameStatus(t, s, got)
	}
}

func assertSameStatus(t *testing.T, want, got *Status) {
	t.Helper()
	assert.Equal(t, want.Code(), got.Code(), "got code %v; want %v", got.Code(), want.Code())
	assert.Equal(t, want.Message(), got.Message())
	wd, gd := want.Details(), got.Details()
	require.Len(t, gd, len(wd))
	for i := range wd {
		assert.True(t, proto.Equal(wd[i], gd[i]), "detail %d: got %v; want %v", i, gd[i], wd[i])
	}
}

func TestStatusProtoKnownBytes(t *testing.T) {
	// google.rpc.Status{code: 5, message: "hi", details: [Any{type_url: "t", value: "v"}]}
	// as serialized by protoc-generated code.
	want := []byte{0x08, 0x05, 0x12, 0x02, 'h', 'i', 0x1a, 0x06, 0x0a, 0x01, 't', 0x12, 0x01, 'v'}
	s := &Status{code: NotFound, message: "hi", details: []*anypb.Any{{TypeUrl: "t", Value: []byte("v")}}}
	got, err := MarshalStatusProto(s)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// Unknown fields are skipped.
	withUnknown := append([]byte{0x20, 0x01, 0x2a, 0x01, 'x'}, want...)
	parsed, err := UnmarshalStatusProto(withUnknown)
	require.NoError(t, err)
	assertSameStatus(t, s, parsed)
}

func TestStatusProtoInvalidUTF8(t *testing.T) {
	b, err := MarshalStatusProto(NewStatus(Internal, "a\xffb"))
	require.NoError(t, err)
	s, err := UnmarshalStatusProto(b)
	require.NoError(t, err)
	assert.Equal(t, "a\uFFFDb", s.Message())
}

func TestUnmarshalStatusProtoErrors(t *testing.T) {
	tests := map[string][]byte{
		"truncated tag":     {0x80},
		"truncated varint":  {0x08, 0x80},
		"truncated message": {0x12, 0x05, 'a'},
		"wrong wire type":   {0x0a, 0x01, 'a'}, // code as bytes
		"bad any":           {0x1a, 0x02, 0x0a, 0x05},
		"bad unknown field": {0x2a, 0x05},
		"group end":         {0x0c},
	}
	for name, b := range tests {
		_, err := UnmarshalStatusProto(b)
		assert.Error(t, err, name)
	}
}
