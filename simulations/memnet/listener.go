package memnet

import (
	"net"
	"sync"
)

// Listener accepts the connections dialed to its address. It implements net.Listener.
type Listener struct {
	net  *Network
	addr string

	// mu guards the queue of dialed, unaccepted connections; cond wakes Accept.
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []*Conn
	closed bool
}

var _ net.Listener = (*Listener)(nil)

func newListener(n *Network, addr string) *Listener {
	l := &Listener{net: n, addr: addr}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// enqueue hands a dialed connection to Accept; false if the listener is closed.
func (l *Listener) enqueue(c *Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.queue = append(l.queue, c)
	l.cond.Broadcast()
	return true
}

// Accept waits for the next connection, or fails with net.ErrClosed once closed.
func (l *Listener) Accept() (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		if l.closed {
			return nil, opError("accept", net.ErrClosed)
		}
		if len(l.queue) > 0 {
			c := l.queue[0]
			l.queue = l.queue[1:]
			return c, nil
		}
		l.cond.Wait()
	}
}

// Close stops accepting and frees the address; dialed connections not yet accepted are
// reset.
func (l *Listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	queued := l.queue
	l.queue = nil
	l.cond.Broadcast()
	l.mu.Unlock()
	for _, c := range queued {
		c.reset()
	}
	l.net.unlisten(l)
	return nil
}

// Addr returns the listening address.
func (l *Listener) Addr() net.Addr { return Addr(l.addr) }
