package actors

// State is a channel's connectivity state (gRPC's doc/connectivity-semantics-and-api.md).
type State int32

const (
	// Idle: no connection and none being made; the next call or Connect starts one.
	Idle State = iota
	// Connecting: a connection is being made.
	Connecting
	// Ready: a connection is up and can carry calls.
	Ready
	// TransientFailure: the last attempt failed; another follows after a backoff.
	TransientFailure
	// Shutdown: the channel is closed; calls fail at once.
	Shutdown
)

// String returns the state's name as gRPC spells it.
func (s State) String() string {
	switch s {
	case Idle:
		return "IDLE"
	case Connecting:
		return "CONNECTING"
	case Ready:
		return "READY"
	case TransientFailure:
		return "TRANSIENT_FAILURE"
	case Shutdown:
		return "SHUTDOWN"
	}
	return "INVALID_STATE"
}
