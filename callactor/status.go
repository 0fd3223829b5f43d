package callactor

import "github.com/actorrpc/actorrpc/wire"

// errText is err's text, or a placeholder for nil.
func errText(err error) string {
	if err == nil {
		return "connection actor stopped"
	}
	return err.Error()
}

// statusOf returns the status an error carries (UNKNOWN for a plain error).
func statusOf(err error) *wire.Status {
	st, _ := wire.FromError(err)
	return st
}
