package actorrpc

import (
	"fmt"

	"github.com/actorrpc/actorrpc/wire"
)

// Code is a gRPC status code.
type Code = wire.Code

// The gRPC status codes.
const (
	// OK means the call succeeded.
	OK = wire.OK
	// Canceled means the call was cancelled, usually by the caller.
	Canceled = wire.Canceled
	// Unknown is an error with no better code.
	Unknown = wire.Unknown
	// InvalidArgument means the client sent a bad argument.
	InvalidArgument = wire.InvalidArgument
	// DeadlineExceeded means the deadline passed before the call ended.
	DeadlineExceeded = wire.DeadlineExceeded
	// NotFound means a requested entity was not found.
	NotFound = wire.NotFound
	// AlreadyExists means the entity to create already exists.
	AlreadyExists = wire.AlreadyExists
	// PermissionDenied means the caller may not do this.
	PermissionDenied = wire.PermissionDenied
	// ResourceExhausted means a quota or limit ran out (e.g. message size).
	ResourceExhausted = wire.ResourceExhausted
	// FailedPrecondition means the system is not in a state for this call.
	FailedPrecondition = wire.FailedPrecondition
	// Aborted means the operation was aborted, e.g. by a concurrency conflict.
	Aborted = wire.Aborted
	// OutOfRange means an argument was past the valid range.
	OutOfRange = wire.OutOfRange
	// Unimplemented means the method is not implemented or not served.
	Unimplemented = wire.Unimplemented
	// Internal means an invariant broke.
	Internal = wire.Internal
	// Unavailable means the service cannot be reached now; retrying may help.
	Unavailable = wire.Unavailable
	// DataLoss means unrecoverable data loss.
	DataLoss = wire.DataLoss
	// Unauthenticated means the caller has no valid credentials.
	Unauthenticated = wire.Unauthenticated
)

// Status is a gRPC status: a code, a message and optional details. It is an error.
type Status = wire.Status

// NewStatus returns a Status with code c and message msg.
func NewStatus(c Code, msg string) *Status { return wire.NewStatus(c, msg) }

// Errorf returns an error carrying a Status with code c and a formatted message.
// With code OK it returns nil.
func Errorf(c Code, format string, a ...any) error {
	return wire.NewStatus(c, fmt.Sprintf(format, a...)).Err()
}

// StatusOf returns the Status an error carries. A nil error is OK; context errors map to
// DEADLINE_EXCEEDED and CANCELLED; any other error is UNKNOWN with the error's text.
func StatusOf(err error) *Status {
	s, _ := wire.FromError(err)
	if s == nil {
		return wire.NewStatus(wire.OK, "")
	}
	return s
}

// CodeOf returns the code of the Status an error carries (see StatusOf).
func CodeOf(err error) Code { return StatusOf(err).Code() }
