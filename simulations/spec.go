package main

import (
	"fmt"
	"strings"
	"time"
)

// Kind is a method kind of HelloService.
type Kind int

const (
	// Unary is SayHello.
	Unary Kind = iota
	// ServerStream is LotsOfReplies.
	ServerStream
	// ClientStream is LotsOfGreetings.
	ClientStream
	// Bidi is BidiHello.
	Bidi
)

// String names the kind.
func (k Kind) String() string {
	return [...]string{"unary", "server-stream", "client-stream", "bidi"}[k]
}

func (k Kind) serverStreams() bool { return k == ServerStream || k == Bidi }

// CallSpec is everything about one call, drawn by the generator before the call starts:
// the client side follows it, and the server side reads it from the first request.
type CallSpec struct {
	ID     int
	Client int // index of the client that makes it
	Kind   Kind
	// Msgs is how many stream messages each streaming side sends.
	Msgs int
	// Size pads every message to about this many bytes.
	Size int
	// Sleep is how long the handler waits before answering (unary) or before each message.
	Sleep time.Duration
	// ReadDelay is how long the client waits before each Recv: a slow reader.
	ReadDelay time.Duration
	// Deadline, when positive, bounds the call.
	Deadline time.Duration
	// CancelAfter, when positive, cancels the call's context that long after its start.
	CancelAfter time.Duration
	// Panic makes the handler panic halfway.
	Panic bool
	// Async makes a unary call through its Future.
	Async bool
	// WaitForReady makes the call wait for the channel to be READY instead of failing fast.
	WaitForReady bool
}

// String describes the spec in the trace.
func (s CallSpec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "c%d %s msgs=%d size=%d sleep=%v", s.Client+1, s.Kind, s.Msgs, s.Size, s.Sleep)
	if s.ReadDelay > 0 {
		fmt.Fprintf(&b, " read-delay=%v", s.ReadDelay)
	}
	if s.Deadline > 0 {
		fmt.Fprintf(&b, " deadline=%v", s.Deadline)
	}
	if s.CancelAfter > 0 {
		fmt.Fprintf(&b, " cancel=%v", s.CancelAfter)
	}
	if s.Panic {
		b.WriteString(" panic")
	}
	if s.Async {
		b.WriteString(" async")
	}
	if s.WaitForReady {
		b.WriteString(" wait-for-ready")
	}
	return b.String()
}

// responses is how many response messages an OK call carries.
func (s CallSpec) responses() int {
	switch s.Kind {
	case ServerStream, Bidi:
		return s.Msgs
	}
	return 1
}

// encode is the first request's greeting: the spec the handler follows, then padding.
func (s CallSpec) encode() string {
	panicFlag := 0
	if s.Panic {
		panicFlag = 1
	}
	head := fmt.Sprintf("spec %d %d %d %d %d;", s.ID, s.Msgs, s.Size, int64(s.Sleep), panicFlag)
	return pad(head, s.Size)
}

// decodeSpec reads the spec the client put in its first request.
func decodeSpec(greeting string) (CallSpec, error) {
	var s CallSpec
	var sleep int64
	var panicFlag int
	_, err := fmt.Sscanf(greeting, "spec %d %d %d %d %d;", &s.ID, &s.Msgs, &s.Size, &sleep, &panicFlag)
	s.Sleep, s.Panic = time.Duration(sleep), panicFlag == 1
	return s, err
}

// message is the greeting or reply of the seq-th stream message of call id.
func message(id, seq, size int) string { return pad(fmt.Sprintf("msg %d %d;", id, seq), size) }

// parseMessage reads a message's call id and sequence number.
func parseMessage(m string) (id, seq int, err error) {
	_, err = fmt.Sscanf(m, "msg %d %d;", &id, &seq)
	return id, seq, err
}

// pad fills s up to size bytes.
func pad(s string, size int) string {
	if len(s) >= size {
		return s
	}
	return s + strings.Repeat(".", size-len(s))
}
