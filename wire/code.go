package wire

import "strconv"

// Code is a gRPC status code, as carried in the grpc-status trailer.
// See grpc/grpc doc/statuscodes.md.
type Code uint32

const (
	// OK means the call completed successfully.
	OK Code = 0
	// Canceled means the operation was cancelled, typically by the caller.
	Canceled Code = 1
	// Unknown is an unknown error, e.g. an error from another address space
	// whose status is not known, or an error without enough information.
	Unknown Code = 2
	// InvalidArgument means the client specified an invalid argument,
	// independent of the state of the system.
	InvalidArgument Code = 3
	// DeadlineExceeded means the deadline expired before the operation
	// could complete.
	DeadlineExceeded Code = 4
	// NotFound means some requested entity was not found.
	NotFound Code = 5
	// AlreadyExists means the entity a client attempted to create already exists.
	AlreadyExists Code = 6
	// PermissionDenied means the caller does not have permission to execute
	// the operation (it is identified, but not allowed).
	PermissionDenied Code = 7
	// ResourceExhausted means some resource has been exhausted, e.g. a quota
	// or the maximum message size.
	ResourceExhausted Code = 8
	// FailedPrecondition means the system is not in a state required for the
	// operation's execution.
	FailedPrecondition Code = 9
	// Aborted means the operation was aborted, typically due to a concurrency
	// issue such as a transaction abort.
	Aborted Code = 10
	// OutOfRange means the operation was attempted past the valid range.
	OutOfRange Code = 11
	// Unimplemented means the operation is not implemented or not supported,
	// e.g. an unknown method.
	Unimplemented Code = 12
	// Internal means an invariant expected by the underlying system was
	// broken; a serious error.
	Internal Code = 13
	// Unavailable means the service is currently unavailable; the call may be
	// retried.
	Unavailable Code = 14
	// DataLoss means unrecoverable data loss or corruption.
	DataLoss Code = 15
	// Unauthenticated means the request does not have valid authentication
	// credentials for the operation.
	Unauthenticated Code = 16
)

var codeNames = [...]string{
	OK:                 "OK",
	Canceled:           "CANCELLED",
	Unknown:            "UNKNOWN",
	InvalidArgument:    "INVALID_ARGUMENT",
	DeadlineExceeded:   "DEADLINE_EXCEEDED",
	NotFound:           "NOT_FOUND",
	AlreadyExists:      "ALREADY_EXISTS",
	PermissionDenied:   "PERMISSION_DENIED",
	ResourceExhausted:  "RESOURCE_EXHAUSTED",
	FailedPrecondition: "FAILED_PRECONDITION",
	Aborted:            "ABORTED",
	OutOfRange:         "OUT_OF_RANGE",
	Unimplemented:      "UNIMPLEMENTED",
	Internal:           "INTERNAL",
	Unavailable:        "UNAVAILABLE",
	DataLoss:           "DATA_LOSS",
	Unauthenticated:    "UNAUTHENTICATED",
}

// String returns the name of the code as written in grpc/grpc
// doc/statuscodes.md ("OK", "CANCELLED", "NOT_FOUND", ...), or "CODE(n)" for
// values outside the known range.
func (c Code) String() string {
	if uint64(c) < uint64(len(codeNames)) {
		return codeNames[c]
	}
	return "CODE(" + strconv.FormatUint(uint64(c), 10) + ")"
}
