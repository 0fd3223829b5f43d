package rawh2

import (
	"net"
	"testing"

	"golang.org/x/net/http2"
)

// Client speaks HTTP/2 as a client over nc, a connection the test made (a net.Pipe in a
// synctest bubble, say): it sends the client preface and SETTINGS with settings, and
// completes the handshake as Dial does. The connection is closed when the test ends.
func Client(t testing.TB, nc net.Conn, settings ...http2.Setting) *Peer {
	t.Helper()
	p := newPeer(t, nc)
	p.startReader()
	p.WriteRaw([]byte(http2.ClientPreface))
	p.handshake(settings)
	return p
}
