package main

import (
	"time"

	"github.com/actorrpc/actorrpc"
)

// What the client side records. Each method checks what it can at once.

// CallStarted records that the workload started a call.
func (m *Model) CallStarted(s CallSpec) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[s.ID] = &callRecord{spec: s, started: m.now()}
	m.logf("call %d start %s", s.ID, s)
}

// CallCancelled records that the workload cancelled a call's context.
func (m *Model) CallCancelled(id int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.calls[id]; c != nil && c.ends == 0 {
		c.cancelAt = m.now()
		m.logf("call %d cancel", id)
	}
}

// MessageReceived records the client's receipt of the seq-th message of a call's response
// stream: it must be the next one (in order, none lost, none twice).
func (m *Model) MessageReceived(id, seq int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.calls[id]
	if c.ends > 0 {
		m.violatef("call %d: message %d after the final status", id, seq)
	}
	if seq != c.received {
		m.violatef("call %d: received message %d; want %d (lost, duplicated or reordered)", id, seq, c.received)
	}
	c.received = seq + 1
	m.logf("call %d recv %d", id, seq)
}

// CallEnded records a call's final status on the client and checks the status invariants.
func (m *Model) CallEnded(id int, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.calls[id]
	code := actorrpc.CodeOf(err)
	c.ends++
	m.logf("call %d end %s", id, code)
	if c.ends > 1 {
		m.violatef("call %d: status %s after status %s: a call ends once", id, code, c.code)
		return
	}
	c.code, c.endedAt = code, m.now()
	m.checkEnd(c)
}

// checkEnd checks a call that just ended. Call with m.mu held.
func (m *Model) checkEnd(c *callRecord) {
	s := c.spec
	// A slow reader learns of the end only after reading the messages queued before it.
	late := m.tick + s.ReadDelay*time.Duration(s.Msgs+1)
	if s.Deadline > 0 && c.endedAt > c.started+s.Deadline+late {
		m.violatef("call %d: ended %v after its start; its deadline was %v", s.ID, c.endedAt-c.started, s.Deadline)
	}
	if c.cancelAt > 0 && c.endedAt > c.cancelAt+late {
		m.violatef("call %d: ended %v after it was cancelled", s.ID, c.endedAt-c.cancelAt)
	}
	if c.code == actorrpc.InvalidArgument || c.code == actorrpc.Unknown {
		m.violatef("call %d: %s: the request or its metadata arrived damaged", s.ID, c.code)
	}
	if c.code != actorrpc.OK {
		return
	}
	if h := m.handlers[s.ID]; h == nil || !h.completed {
		m.violatef("call %d: OK on the client but the handler did not complete", s.ID)
	}
	if want := s.responses(); c.received != want && s.Kind.serverStreams() {
		m.violatef("call %d: OK after %d messages; want %d", s.ID, c.received, want)
	}
	if s.Panic {
		m.violatef("call %d: OK although its handler panics", s.ID)
	}
}

// StateChanged records a channel's connectivity transition and checks that it is allowed.
func (m *Model) StateChanged(client string, sc actorrpc.StateChanged) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := m.states[client]
	m.states[client] = append(seen, sc)
	m.logf("%s state %s→%s", client, sc.From, sc.To)
	if len(seen) == 0 {
		return // the subscription's first message: the current state
	}
	if prev := seen[len(seen)-1].To; sc.From != prev {
		m.violatef("%s: transition %s→%s does not start at the last state %s", client, sc.From, sc.To, prev)
	}
	if !allowedTransition(sc.From, sc.To) {
		m.violatef("%s: transition %s→%s is not allowed", client, sc.From, sc.To)
	}
}

// allowedTransition says whether gRPC's connectivity semantics allow from→to.
func allowedTransition(from, to actorrpc.State) bool {
	if to == actorrpc.Shutdown {
		return from != actorrpc.Shutdown
	}
	allowed := map[actorrpc.State][]actorrpc.State{
		actorrpc.Idle:             {actorrpc.Connecting},
		actorrpc.Connecting:       {actorrpc.Ready, actorrpc.TransientFailure, actorrpc.Idle},
		actorrpc.Ready:            {actorrpc.Idle, actorrpc.TransientFailure},
		actorrpc.TransientFailure: {actorrpc.Connecting, actorrpc.Idle},
	}
	for _, s := range allowed[from] {
		if s == to {
			return true
		}
	}
	return false
}

// DialAttempted records a client's dial and its outcome.
func (m *Model) DialAttempted(client string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	m.logf("%s dial %s", client, outcome)
}

// dialTimes returns the fake times of a client's dials so far (from the trace).
func (m *Model) eventsMatching(text string) []time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []time.Duration
	for _, e := range m.events {
		if e.text == text {
			out = append(out, e.at)
		}
	}
	return out
}
