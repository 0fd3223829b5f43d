package callactor

import "github.com/actorrpc/actorrpc/wire"

// statusOf returns the status an error carries (UNKNOWN for a plain error).
func statusOf(err error) *wire.Status {
	st, _ := wire.FromError(err)
	return st
}
