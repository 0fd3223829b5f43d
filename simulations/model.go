package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/actorrpc/actorrpc"
)

// Model records what each side observed, as trace events and as per-call facts the
// validators check. Events come from many goroutines; the trace is sorted by fake time and
// then by text, so that events of one instant, whose order the scheduler picks, print the
// same way in every run.
//
// The model is the harness's own bookkeeping, not runtime state: a mutex guards it.
type Model struct {
	start time.Time
	tick  time.Duration

	mu         sync.Mutex
	events     []event
	calls      map[int]*callRecord
	handlers   map[int]*handlerRecord
	states     map[string][]actorrpc.StateChanged
	violations []string
}

// event is one trace line: its fake time since the run began and what happened.
type event struct {
	at   time.Duration
	text string
	// serverCall, when not 0, is the call a server-side event belongs to.
	serverCall int
}

// callRecord is what the client side saw of one call.
type callRecord struct {
	spec     CallSpec
	started  time.Duration
	received int // stream messages received, in order
	ends     int
	code     actorrpc.Code
	endedAt  time.Duration
	cancelAt time.Duration // when the workload cancelled it; 0 if never
}

// handlerRecord is what the server side saw of one call.
type handlerRecord struct {
	server    string // the server that started it
	starts    int
	ends      int
	code      actorrpc.Code
	completed bool // the handler returned nil
}

func newModel(start time.Time, tick time.Duration) *Model {
	return &Model{start: start, tick: tick, calls: map[int]*callRecord{}, handlers: map[int]*handlerRecord{}, states: map[string][]actorrpc.StateChanged{}}
}

// now is the fake time since the run began.
func (m *Model) now() time.Duration { return time.Since(m.start) }

// logf records a trace event at the current fake time. Call with m.mu held.
func (m *Model) logf(format string, a ...any) {
	m.events = append(m.events, event{at: m.now(), text: fmt.Sprintf(format, a...)})
}

// violatef records a broken invariant, also as a trace event. Call with m.mu held.
func (m *Model) violatef(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	m.violations = append(m.violations, fmt.Sprintf("%v %s", m.now(), msg))
	m.logf("VIOLATION %s", msg)
}

// Note records a trace event from the world (a fault, a restart).
func (m *Model) Note(format string, a ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.logf(format, a...)
}

// Violations returns the broken invariants so far.
func (m *Model) Violations() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.violations)
}

// Trace returns the run's trace, one line per event.
func (m *Model) Trace() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	evs := slices.DeleteFunc(slices.Clone(m.events), m.afterClientEnd)
	slices.SortStableFunc(evs, func(a, b event) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return strings.Compare(a.text, b.text)
	})
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "%d %s\n", e.at.Nanoseconds(), e.text)
	}
	return b.String()
}

// afterClientEnd says whether e is a server-side event of a call the client had already
// ended: the trace leaves those out. Whether they happen at all is the scheduler's pick when
// a stalled link releases a call's HEADERS, DATA and RST_STREAM at one instant (the handler
// may or may not start before the reset is processed). The validators still see them.
// Call with m.mu held.
func (m *Model) afterClientEnd(e event) bool {
	c := m.calls[e.serverCall]
	return e.serverCall != 0 && c != nil && c.ends > 0 && e.at > c.endedAt
}

// Calls returns how many calls were started and how many ended with each code.
func (m *Model) Calls() (started int, codes map[actorrpc.Code]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	codes = map[actorrpc.Code]int{}
	for _, c := range m.calls {
		if c.ends > 0 {
			codes[c.code]++
		}
	}
	return len(m.calls), codes
}
