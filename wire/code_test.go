package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCodeString(t *testing.T) {
	tests := []struct {
		code Code
		want string
	}{
		{OK, "OK"}, {Canceled, "CANCELLED"}, {Unknown, "UNKNOWN"}, {InvalidArgument, "INVALID_ARGUMENT"},
		{DeadlineExceeded, "DEADLINE_EXCEEDED"}, {NotFound, "NOT_FOUND"}, {AlreadyExists, "ALREADY_EXISTS"},
		{PermissionDenied, "PERMISSION_DENIED"}, {ResourceExhausted, "RESOURCE_EXHAUSTED"},
		{FailedPrecondition, "FAILED_PRECONDITION"}, {Aborted, "ABORTED"}, {OutOfRange, "OUT_OF_RANGE"},
		{Unimplemented, "UNIMPLEMENTED"}, {Internal, "INTERNAL"}, {Unavailable, "UNAVAILABLE"},
		{DataLoss, "DATA_LOSS"}, {Unauthenticated, "UNAUTHENTICATED"}, {17, "CODE(17)"}, {1 << 31, "CODE(2147483648)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.code.String(), "Code(%d)", uint32(tt.code))
	}
}

func TestHTTPStatusToCode(t *testing.T) {
	tests := map[int]Code{
		400: Internal, 401: Unauthenticated, 403: PermissionDenied, 404: Unimplemented,
		429: Unavailable, 502: Unavailable, 503: Unavailable, 504: Unavailable,
		200: Unknown, 500: Unknown, 418: Unknown, 0: Unknown,
	}
	for status, want := range tests {
		assert.Equal(t, want, HTTPStatusToCode(status), "HTTP %d", status)
	}
}
