package memnet

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"time"
)

// Direction is one way of a link.
type Direction int

const (
	// ClientToServer carries what the dialing side writes.
	ClientToServer Direction = iota
	// ServerToClient carries what the accepting side writes.
	ServerToClient
)

// String names the direction.
func (d Direction) String() string {
	if d == ClientToServer {
		return "client→server"
	}
	return "server→client"
}

// Faults are the faults of one direction of a link. The zero value is a perfect wire.
type Faults struct {
	// Latency delays every write.
	Latency time.Duration
	// Jitter adds a uniform random delay in [0, Jitter] to each instant's writes.
	Jitter time.Duration
	// Stall holds written bytes in flight until it is cleared; the connection stays open.
	Stall bool
	// Drop makes written bytes (and a close) vanish silently: a half-open connection.
	Drop bool
	// Bandwidth limits the direction to this many bytes per second (0: unlimited): a
	// write is sent once the link has finished sending the writes before it, and takes
	// len/Bandwidth to send; latency and jitter come on top.
	Bandwidth int64
}

// DefaultBuffer is how many bytes one direction of a connection holds (in flight and
// unread) before Write blocks, like a full TCP window.
const DefaultBuffer = 4 << 20

// Network is an in-memory network. It is safe for concurrent use.
type Network struct {
	seed uint64

	// mu guards the maps and each link's fault settings and connection set.
	mu        sync.Mutex
	listeners map[string]*Listener
	links     map[linkKey]*link
}

type linkKey struct{ client, server string }

// link is the state of one (client, server) pair; guarded by Network.mu.
type link struct {
	key         linkKey
	faults      [2]Faults
	partitioned bool
	refuse      bool
	healed      chan struct{} // closed by Heal; replaced by Partition
	dials       uint64
	conns       map[*Conn]struct{}
}

// New returns an empty network whose randomness derives from rng (one value is drawn).
func New(rng *rand.Rand) *Network {
	return &Network{seed: rng.Uint64(), listeners: map[string]*Listener{}, links: map[linkKey]*link{}}
}

// linkLocked returns the link of (client, server), creating it. Call with n.mu held.
func (n *Network) linkLocked(client, server string) *link {
	k := linkKey{client, server}
	l := n.links[k]
	if l == nil {
		l = &link{key: k, conns: map[*Conn]struct{}{}}
		n.links[k] = l
	}
	return l
}

// Listen returns a listener for addr ("host:port"). It fails if addr is in use.
func (n *Network) Listen(addr string) (*Listener, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.listeners[addr]; ok {
		return nil, &net.OpError{Op: "listen", Net: "mem", Addr: Addr(addr), Err: syscall.EADDRINUSE}
	}
	l := newListener(n, addr)
	n.listeners[addr] = l
	return l, nil
}

// unlisten removes l if it still owns its address.
func (n *Network) unlisten(l *Listener) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.listeners[l.addr] == l {
		delete(n.listeners, l.addr)
	}
}

// Dialer returns the dial function of the client named client, for WithContextDialer.
func (n *Network) Dialer(client string) func(ctx context.Context, addr string) (net.Conn, error) {
	return func(ctx context.Context, addr string) (net.Conn, error) { return n.Dial(ctx, client, addr) }
}

// Dial connects client to the listener at addr. It takes one round trip of the link's
// latency, hangs while the link is partitioned (until Heal or ctx ends), and fails with
// ECONNREFUSED when dials are refused or nothing listens at addr.
func (n *Network) Dial(ctx context.Context, client, addr string) (net.Conn, error) {
	for {
		n.mu.Lock()
		l := n.linkLocked(client, addr)
		if !l.partitioned {
			rtt := l.faults[ClientToServer].Latency + l.faults[ServerToClient].Latency
			n.mu.Unlock()
			if err := sleepCtx(ctx, rtt); err != nil {
				return nil, dialError(addr, err)
			}
			return n.connect(client, addr)
		}
		healed := l.healed
		n.mu.Unlock()
		select {
		case <-healed:
		case <-ctx.Done():
			return nil, dialError(addr, ctx.Err())
		}
	}
}

// connect makes the connection once the handshake's round trip is over.
func (n *Network) connect(client, addr string) (net.Conn, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	l := n.linkLocked(client, addr)
	lis := n.listeners[addr]
	if l.refuse || lis == nil || l.partitioned {
		return nil, dialError(addr, syscall.ECONNREFUSED)
	}
	l.dials++
	seed := n.connSeed(l.key, l.dials)
	name := fmt.Sprintf("%s#%d", client, l.dials)
	c, s := newConnPair(n, l, name, addr, seed)
	if !lis.enqueue(s) {
		return nil, dialError(addr, syscall.ECONNREFUSED)
	}
	l.conns[c] = struct{}{}
	l.conns[s] = struct{}{}
	return c, nil
}

// connSeed derives the seed of a link's ordinal-th connection.
func (n *Network) connSeed(k linkKey, ordinal uint64) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%s|%s|%d", n.seed, k.client, k.server, ordinal)
	return h.Sum64()
}

func dialError(addr string, err error) error {
	return &net.OpError{Op: "dial", Net: "mem", Addr: Addr(addr), Err: err}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SetFaults sets the faults of one direction of the link (client, server). They apply at
// once to live connections and to later ones.
func (n *Network) SetFaults(client, server string, dir Direction, f Faults) {
	n.mu.Lock()
	l := n.linkLocked(client, server)
	l.faults[dir] = f
	conns := l.connList()
	n.mu.Unlock()
	pumpAll(conns)
}

// Faults returns the faults of one direction of the link (client, server).
func (n *Network) Faults(client, server string, dir Direction) Faults {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.linkLocked(client, server).faults[dir]
}

// Partition cuts the link (client, server): bytes in flight are held in both directions,
// connections stay open, and new dials hang until Heal.
func (n *Network) Partition(client, server string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	l := n.linkLocked(client, server)
	if !l.partitioned {
		l.partitioned = true
		l.healed = make(chan struct{})
	}
}

// Heal ends a Partition: held bytes flow and hanging dials go on.
func (n *Network) Heal(client, server string) {
	n.mu.Lock()
	l := n.linkLocked(client, server)
	l.endPartition()
	conns := l.connList()
	n.mu.Unlock()
	pumpAll(conns)
}

// Restore ends every fault of the link (client, server) at once: the partition, refused
// dials and both directions' faults. Bytes held flow only after all of them are gone, so
// nothing released by the heal meets a fault the heal was about to end (a response to a
// request freed from a stall, say, must not travel with the latency the same heal clears).
func (n *Network) Restore(client, server string) {
	n.mu.Lock()
	l := n.linkLocked(client, server)
	l.endPartition()
	l.refuse = false
	l.faults = [2]Faults{}
	conns := l.connList()
	n.mu.Unlock()
	pumpAll(conns)
}

// endPartition ends the link's partition, if it has one: hanging dials go on. Call with the
// network's mu held; the caller pumps the held bytes once it has let go of mu.
func (l *link) endPartition() {
	if l.partitioned {
		l.partitioned = false
		close(l.healed)
	}
}

// RefuseDials makes dials on the link (client, server) fail with ECONNREFUSED, or work again.
func (n *Network) RefuseDials(client, server string, refuse bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.linkLocked(client, server).refuse = refuse
}

// Reset fails every live connection of the link (client, server) with ECONNRESET on both
// ends, dropping the bytes in flight. It returns how many connections it reset.
func (n *Network) Reset(client, server string) int {
	n.mu.Lock()
	l := n.linkLocked(client, server)
	conns := l.connList()
	n.mu.Unlock()
	clients := map[*Conn]bool{}
	for _, c := range conns {
		if c.role == ServerToClient {
			c = c.other
		}
		if !clients[c] {
			clients[c] = true
			c.reset()
		}
	}
	return len(clients)
}

// LiveConns returns how many connections of the link (client, server) are open.
func (n *Network) LiveConns(client, server string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	live := 0
	for c := range n.linkLocked(client, server).conns {
		if c.role == ClientToServer || !n.links[linkKey{client, server}].has(c.other) {
			live++
		}
	}
	return live
}

// forget removes a connection end that has closed.
func (n *Network) forget(l *link, c *Conn) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(l.conns, c)
}

// state returns what a pipe of link l in direction dir must obey now.
func (n *Network) state(l *link, dir Direction) (f Faults, stalled bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f = l.faults[dir]
	return f, f.Stall || l.partitioned
}

// connList returns the link's connection ends. Call with the network's mu held.
func (l *link) connList() []*Conn {
	out := make([]*Conn, 0, len(l.conns))
	for c := range l.conns {
		out = append(out, c)
	}
	return out
}

func (l *link) has(c *Conn) bool { _, ok := l.conns[c]; return ok }

// pumpAll delivers what is due on both directions of every connection end: a live end's
// peer may have closed (and been forgotten) while its bytes and close were held.
func pumpAll(conns []*Conn) {
	for _, c := range conns {
		c.out.pump()
		c.in.pump()
	}
}

// Addr is a memnet address.
type Addr string

// Network returns "mem".
func (Addr) Network() string { return "mem" }

// String returns the address.
func (a Addr) String() string { return string(a) }

var _ net.Addr = Addr("")
