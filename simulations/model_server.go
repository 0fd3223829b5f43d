package main

import (
	"fmt"

	"github.com/actorrpc/actorrpc"
)

// What the server side records.

// serverLogf records a server-side trace event of call id. Call with m.mu held.
func (m *Model) serverLogf(id int, format string, a ...any) {
	m.events = append(m.events, event{at: m.now(), text: fmt.Sprintf(format, a...), serverCall: id})
}

// HandlerStarted records that a handler began serving call id.
func (m *Model) HandlerStarted(server string, id int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.handlers[id]
	if h == nil {
		h = &handlerRecord{server: server}
		m.handlers[id] = h
	}
	h.starts++
	m.serverLogf(id, "%s handler %d start", server, id)
	if h.starts > 1 {
		m.violatef("call %d: served twice", id)
	}
}

// HandlerEnded records what a handler returned; err == nil means it completed.
func (m *Model) HandlerEnded(server string, id int, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.handlers[id]
	h.ends++
	h.code = actorrpc.CodeOf(err)
	h.completed = err == nil
	m.serverLogf(id, "%s handler %d end %s", server, id, handlerOutcome(h.code))
	if h.ends > 1 {
		m.violatef("call %d: the handler ended twice", id)
	}
}

// RequestReceived records the server's receipt of the seq-th request message of a
// client-streaming or bidi call; it must be the next one.
func (m *Model) RequestReceived(server string, id, seq, want int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.serverLogf(id, "%s handler %d recv %d", server, id, seq)
	if seq != want {
		m.violatef("call %d: server received request %d; want %d (lost, duplicated or reordered)", id, seq, want)
	}
}

// handlerOutcome names a handler's end in the trace. A handler whose context ended does not
// say whether its deadline or the client's RST_STREAM came first: when the client's deadline
// passes, its RST_STREAM(CANCEL) reaches the server at the very fake instant the server's own
// deadline timer fires (both are the deadline plus the link's latency), so the scheduler
// picks between them, and both are correct.
func handlerOutcome(c actorrpc.Code) string {
	if c == actorrpc.Canceled || c == actorrpc.DeadlineExceeded {
		return "context-done"
	}
	return c.String()
}
