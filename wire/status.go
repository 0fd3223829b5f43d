package wire

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Status is a gRPC status: a code, a message and optional details. It
// implements error. A Status is immutable once created; a nil *Status is
// valid and means OK.
type Status struct {
	code    Code
	message string
	details []*anypb.Any
}

// NewStatus returns a Status with the given code and message.
func NewStatus(code Code, message string) *Status {
	return &Status{code: code, message: message}
}

// statusOK is the OK status without message or details, shared (a Status is immutable).
var statusOK = &Status{code: OK}

// StatusOK returns an OK status without message or details. It is shared: as every
// Status, it must not be modified.
func StatusOK() *Status { return statusOK }

// Statusf returns a Status with the given code and a message formatted with
// fmt.Sprintf(format, args...).
func Statusf(code Code, format string, args ...any) *Status {
	return NewStatus(code, fmt.Sprintf(format, args...))
}

// Code returns the status code; OK for a nil Status.
func (s *Status) Code() Code {
	if s == nil {
		return OK
	}
	return s.code
}

// Message returns the status message; "" for a nil Status.
func (s *Status) Message() string {
	if s == nil {
		return ""
	}
	return s.message
}

// Details returns a copy of the list of details. The Any values themselves
// are shared and must not be modified.
func (s *Status) Details() []*anypb.Any {
	if s == nil || len(s.details) == 0 {
		return nil
	}
	return append([]*anypb.Any(nil), s.details...)
}

// WithDetails returns a new Status with the given messages appended to the
// details, each packed in an anypb.Any. It fails if the code is OK (an OK
// status carries no details) or if a message cannot be marshalled.
func (s *Status) WithDetails(details ...proto.Message) (*Status, error) {
	if s.Code() == OK {
		return nil, errors.New("wire: cannot add details to a status with code OK")
	}
	out := &Status{code: s.code, message: s.message}
	out.details = make([]*anypb.Any, 0, len(s.details)+len(details))
	out.details = append(out.details, s.details...)
	for _, d := range details {
		a, err := anypb.New(d)
		if err != nil {
			return nil, fmt.Errorf("wire: marshal status detail: %w", err)
		}
		out.details = append(out.details, a)
	}
	return out, nil
}

// Err returns nil if the code is OK, and s otherwise. Use it to turn a
// Status into the error result of a call.
func (s *Status) Err() error {
	if s.Code() == OK {
		return nil
	}
	return s
}

// Error formats the status as "rpc error: code = NOT_FOUND desc = no user".
func (s *Status) Error() string {
	return "rpc error: code = " + s.Code().String() + " desc = " + s.Message()
}

// GRPCStatus returns s itself, so that a *Status satisfies the same
// interface FromError looks for in other error types.
func (s *Status) GRPCStatus() *Status { return s }

// FromError returns the Status that err represents:
//
//   - nil: (nil, true); a nil *Status means OK.
//   - a *Status anywhere in err's chain (errors.As): that Status, true.
//   - an error in the chain with a method GRPCStatus() *Status returning
//     non-nil: that Status, true.
//   - context.DeadlineExceeded (errors.Is): DEADLINE_EXCEEDED, true.
//   - context.Canceled (errors.Is): CANCELLED, true.
//   - anything else: UNKNOWN with err.Error() as message, false.
func FromError(err error) (*Status, bool) {
	if err == nil {
		return nil, true
	}
	var s *Status
	if errors.As(err, &s) && s != nil {
		return s, true
	}
	var gs interface{ GRPCStatus() *Status }
	if errors.As(err, &gs) {
		if st := gs.GRPCStatus(); st != nil {
			return st, true
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return NewStatus(DeadlineExceeded, err.Error()), true
	case errors.Is(err, context.Canceled):
		return NewStatus(Canceled, err.Error()), true
	}
	return NewStatus(Unknown, err.Error()), false
}

// CodeOf returns the code of the Status that err represents, as computed by
// FromError: OK for nil, UNKNOWN for errors that carry no status.
func CodeOf(err error) Code {
	s, _ := FromError(err)
	return s.Code()
}
