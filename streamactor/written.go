package streamactor

// writtenQueue is the messages handed to the connection and not yet reported written
// (DataSent counts bytes, in the order they were handed over).
type writtenQueue struct {
	q    []writtenMsg
	head int
	done int // bytes of q[head] reported written
}

type writtenMsg struct {
	n      int
	pooled []byte // nil: not ours to give back (kept for a replay, or not pooled)
}

// add records n bytes handed to the connection.
func (w *writtenQueue) add(n int, pooled []byte) { w.q = append(w.q, writtenMsg{n, pooled}) }

// sent records n bytes written and gives back the buffers now written whole.
func (w *writtenQueue) sent(n int) {
	w.done += n
	for w.head < len(w.q) && w.done >= w.q[w.head].n {
		m := w.q[w.head]
		w.q[w.head] = writtenMsg{}
		w.head++
		w.done -= m.n
		if m.pooled != nil {
			putSendBuffer(m.pooled)
		}
	}
	if w.head == len(w.q) {
		w.reset()
	}
}

// reset forgets everything listed, giving nothing back.
func (w *writtenQueue) reset() {
	clear(w.q)
	w.q, w.head, w.done = w.q[:0], 0, 0
}
