package memnet

import (
	"net"
	"sync"
	"time"
)

// Conn is one end of an in-memory connection. It implements net.Conn.
type Conn struct {
	net   *Network
	link  *link
	role  Direction // ClientToServer for the dialing end, ServerToClient for the accepting end
	in    *pipe     // what this end reads
	out   *pipe     // what this end writes
	local Addr
	peer  Addr
	other *Conn // the other end

	once sync.Once
}

var _ net.Conn = (*Conn)(nil)

// newConnPair returns the dialing and accepting ends of a new connection of link l.
func newConnPair(n *Network, l *link, clientName, serverAddr string, seed uint64) (client, server *Conn) {
	c2s := newPipe(n, l, ClientToServer, splitmix64(seed^1))
	s2c := newPipe(n, l, ServerToClient, splitmix64(seed^2))
	client = &Conn{net: n, link: l, role: ClientToServer, in: s2c, out: c2s, local: Addr(clientName), peer: Addr(serverAddr)}
	server = &Conn{net: n, link: l, role: ServerToClient, in: c2s, out: s2c, local: Addr(serverAddr), peer: Addr(clientName)}
	client.other, server.other = server, client
	return client, server
}

// Read reads what the peer wrote, once its delay has passed.
func (c *Conn) Read(b []byte) (int, error) { return c.in.read(b) }

// Write sends b to the peer; it blocks while the direction's buffer is full.
func (c *Conn) Write(b []byte) (int, error) { return c.out.write(b) }

// Close closes this end: the peer reads EOF after the bytes in flight (unless this
// direction drops), and its writes fail.
func (c *Conn) Close() error {
	closed := false
	c.once.Do(func() {
		c.out.closeWrite()
		c.in.closeRead()
		c.net.forget(c.link, c)
		closed = true
	})
	if !closed {
		return opError("close", net.ErrClosed)
	}
	return nil
}

// reset fails both ends with ECONNRESET.
func (c *Conn) reset() {
	c.in.reset()
	c.out.reset()
	c.net.forget(c.link, c)
	c.net.forget(c.link, c.other)
}

// LocalAddr returns this end's address: "client#n" for a dialing end, the server's address
// for an accepting one.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.peer }

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline makes a blocked or later Read fail with os.ErrDeadlineExceeded at t.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.in.setDeadline(&c.in.rDeadline, t)
	return nil
}

// SetWriteDeadline makes a blocked or later Write fail with os.ErrDeadlineExceeded at t.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.out.setDeadline(&c.out.wDeadline, t)
	return nil
}
