package memnet_test

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc/simulations/memnet"
)

const (
	client = "c1"
	server = "s1:443"
)

// pair is a network with one connection between client and server.
type pair struct {
	n   *memnet.Network
	lis net.Listener
	c   net.Conn // the dialing end
	s   net.Conn // the accepting end
}

// connect dials client → server on a new network seeded with seed.
func connect(t *testing.T, seed uint64, setup func(n *memnet.Network)) *pair {
	t.Helper()
	n := memnet.New(rand.New(rand.NewPCG(seed, 0)))
	if setup != nil {
		setup(n)
	}
	lis, err := n.Listen(server)
	require.NoError(t, err)
	c, err := n.Dial(context.Background(), client, server)
	require.NoError(t, err)
	s, err := lis.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(); _ = s.Close(); _ = lis.Close() })
	return &pair{n: n, lis: lis, c: c, s: s}
}

// reading reads once from conn in a goroutine; the result arrives on the channel.
type readResult struct {
	data string
	err  error
	at   time.Time
}

func reading(conn net.Conn) <-chan readResult {
	out := make(chan readResult, 1)
	go func() {
		buf := make([]byte, 64)
		n, err := conn.Read(buf)
		out <- readResult{data: string(buf[:n]), err: err, at: time.Now()}
	}()
	return out
}

// pending reports whether r has no result yet once the bubble is idle.
func pending(r <-chan readResult) bool {
	synctest.Wait()
	return len(r) == 0
}

func TestLatency(t *testing.T) {
	tests := []struct {
		name    string
		dir     memnet.Direction
		latency time.Duration
	}{
		{"none", memnet.ClientToServer, 0},
		{"client to server", memnet.ClientToServer, 7 * time.Millisecond},
		{"server to client", memnet.ServerToClient, 250 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := connect(t, 1, nil)
				p.n.SetFaults(client, server, tt.dir, memnet.Faults{Latency: tt.latency})
				from, to := p.c, p.s
				if tt.dir == memnet.ServerToClient {
					from, to = p.s, p.c
				}
				start := time.Now()
				_, err := from.Write([]byte("hello"))
				require.NoError(t, err)
				r := <-reading(to)
				require.NoError(t, r.err)
				assert.Equal(t, "hello", r.data)
				assert.Equal(t, tt.latency, r.at.Sub(start), "arrival after the latency")
			})
		})
	}
}

// arrivals writes one byte per millisecond for k ms and returns each byte's delay.
func arrivals(t *testing.T, seed uint64, f memnet.Faults, k int) []time.Duration {
	var delays []time.Duration
	synctest.Test(t, func(t *testing.T) {
		p := connect(t, seed, func(n *memnet.Network) { n.SetFaults(client, server, memnet.ClientToServer, f) })
		sent := make([]time.Time, k)
		for i := range k {
			sent[i] = time.Now()
			_, err := p.c.Write([]byte{byte(i)})
			require.NoError(t, err)
			time.Sleep(time.Millisecond)
		}
		buf := make([]byte, 1)
		for i := range k {
			_, err := io.ReadFull(p.s, buf)
			require.NoError(t, err)
			require.Equal(t, byte(i), buf[0], "bytes arrive in order")
			delays = append(delays, time.Since(sent[i]))
		}
	})
	return delays
}

func TestBandwidth(t *testing.T) {
	tests := []struct {
		name      string
		bandwidth int64
		latency   time.Duration
		writes    []int
		want      time.Duration // when the last byte arrives
	}{
		{"one write", 1000, 0, []int{500}, 500 * time.Millisecond},
		{"writes queue behind each other", 1000, 0, []int{500, 500, 1000}, 2 * time.Second},
		{"latency on top", 10_000, 3 * time.Millisecond, []int{100}, 13 * time.Millisecond},
		{"unlimited", 0, 0, []int{4096}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := connect(t, 1, nil)
				p.n.SetFaults(client, server, memnet.ClientToServer, memnet.Faults{Bandwidth: tt.bandwidth, Latency: tt.latency})
				start := time.Now()
				total := 0
				for _, n := range tt.writes {
					_, err := p.c.Write(make([]byte, n))
					require.NoError(t, err)
					total += n
				}
				got := 0
				var last time.Time
				for got < total {
					r := <-reading(p.s)
					require.NoError(t, r.err)
					got += len(r.data)
					last = r.at
				}
				assert.Equal(t, tt.want, last.Sub(start), "the last byte arrives after len/bandwidth (+ latency)")
			})
		})
	}
}

func TestJitterIsSeededAndKeepsOrder(t *testing.T) {
	f := memnet.Faults{Latency: 2 * time.Millisecond, Jitter: 5 * time.Millisecond}
	a := arrivals(t, 7, f, 50)
	assert.Equal(t, a, arrivals(t, 7, f, 50), "the same seed gives the same delays")
	assert.NotEqual(t, a, arrivals(t, 8, f, 50), "another seed gives others")
	var varied bool
	for i, d := range a {
		assert.GreaterOrEqual(t, d, f.Latency, "byte %d", i)
		varied = varied || d != a[0]
	}
	assert.True(t, varied, "delays vary")
}

func TestWritesOfOneInstantShareOneDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := connect(t, 3, func(n *memnet.Network) {
			n.SetFaults(client, server, memnet.ClientToServer, memnet.Faults{Latency: time.Millisecond, Jitter: 9 * time.Millisecond})
		})
		start := time.Now()
		for _, s := range []string{"a", "b", "c"} {
			_, err := p.c.Write([]byte(s))
			require.NoError(t, err)
		}
		r := <-reading(p.s)
		require.NoError(t, r.err)
		assert.Equal(t, "abc", r.data, "three writes of one instant arrive together")
		assert.GreaterOrEqual(t, r.at.Sub(start), time.Millisecond)
	})
}

func TestStall(t *testing.T) {
	tests := []struct {
		name  string
		fault func(n *memnet.Network)
		heal  func(n *memnet.Network)
	}{
		{"stall", func(n *memnet.Network) {
			n.SetFaults(client, server, memnet.ClientToServer, memnet.Faults{Stall: true})
		}, func(n *memnet.Network) { n.SetFaults(client, server, memnet.ClientToServer, memnet.Faults{}) }},
		{"partition", func(n *memnet.Network) { n.Partition(client, server) }, func(n *memnet.Network) { n.Heal(client, server) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := connect(t, 1, nil)
				tt.fault(p.n)
				_, err := p.c.Write([]byte("held"))
				require.NoError(t, err, "the connection stays open")
				r := reading(p.s)
				time.Sleep(time.Hour)
				assert.True(t, pending(r), "nothing arrives while the link is cut")
				assert.Equal(t, 1, p.n.LiveConns(client, server))
				tt.heal(p.n)
				got := <-r
				require.NoError(t, got.err)
				assert.Equal(t, "held", got.data, "held bytes arrive once the link heals")
			})
		})
	}
}

func TestPartitionHoldsDialsUntilHeal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := connect(t, 1, nil)
		p.n.Partition(client, server)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := p.n.Dial(ctx, client, server)
		assert.ErrorIs(t, err, context.DeadlineExceeded, "a dial during a partition hangs until its ctx ends")

		dialed := make(chan error, 1)
		go func() {
			c, err := p.n.Dial(context.Background(), client, server)
			if err == nil {
				_ = c.Close()
			}
			dialed <- err
		}()
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Empty(t, dialed)
		p.n.Heal(client, server)
		require.NoError(t, <-dialed, "the dial goes on after Heal")
		s, err := p.lis.Accept()
		require.NoError(t, err)
		_ = s.Close()
	})
}

func TestReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := connect(t, 1, func(n *memnet.Network) {
			n.SetFaults(client, server, memnet.ClientToServer, memnet.Faults{Latency: time.Second})
		})
		_, err := p.c.Write([]byte("in flight"))
		require.NoError(t, err)
		rs, rc := reading(p.s), reading(p.c)
		assert.Equal(t, 1, p.n.Reset(client, server))
		for _, r := range []readResult{<-rs, <-rc} {
			assert.ErrorIs(t, r.err, syscall.ECONNRESET, "both ends fail")
			assert.Empty(t, r.data, "bytes in flight are dropped")
		}
		_, err = p.c.Write([]byte("x"))
		assert.ErrorIs(t, err, syscall.ECONNRESET)
		assert.Zero(t, p.n.LiveConns(client, server))
	})
}

func TestHalfOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := connect(t, 1, func(n *memnet.Network) {
			n.SetFaults(client, server, memnet.ServerToClient, memnet.Faults{Drop: true})
		})
		n, err := p.s.Write([]byte("lost"))
		assert.NoError(t, err, "the writer never learns")
		assert.Equal(t, 4, n)
		require.NoError(t, p.s.Close(), "even the close vanishes")
		require.NoError(t, p.c.SetReadDeadline(time.Now().Add(time.Minute)))
		r := <-reading(p.c)
		assert.ErrorIs(t, r.err, os.ErrDeadlineExceeded, "the client hears nothing")

		_, err = p.c.Write([]byte("ok"))
		assert.Error(t, err, "the server end is closed: the other way fails")
	})
}

func TestDialRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(n *memnet.Network)
		addr  string
	}{
		{"refused", func(n *memnet.Network) { n.RefuseDials(client, server, true) }, server},
		{"nothing listens", func(*memnet.Network) {}, "other:1"},
		{"listener closed", func(n *memnet.Network) { l, _ := n.Listen("gone:1"); _ = l.Close() }, "gone:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := connect(t, 1, nil)
				tt.setup(p.n)
				_, err := p.n.Dial(context.Background(), client, tt.addr)
				assert.ErrorIs(t, err, syscall.ECONNREFUSED)
				p.n.RefuseDials(client, server, false)
			})
		})
	}
}

func TestCloseDeliversDataThenEOF(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := connect(t, 1, func(n *memnet.Network) {
			n.SetFaults(client, server, memnet.ClientToServer, memnet.Faults{Latency: time.Millisecond})
		})
		_, err := p.c.Write([]byte("last words"))
		require.NoError(t, err)
		require.NoError(t, p.c.Close())
		got, err := io.ReadAll(p.s)
		require.NoError(t, err)
		assert.Equal(t, "last words", string(got))
		_, err = p.s.Write([]byte("x"))
		assert.ErrorIs(t, err, syscall.EPIPE, "writing to a closed peer fails")
		_, err = p.c.Read(make([]byte, 1))
		assert.ErrorIs(t, err, net.ErrClosed)
		assert.Error(t, p.c.Close(), "Close twice")
	})
}

func TestFullBufferBlocksWrites(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := connect(t, 1, func(n *memnet.Network) {
			n.SetFaults(client, server, memnet.ClientToServer, memnet.Faults{Stall: true})
		})
		_, err := p.c.Write(make([]byte, memnet.DefaultBuffer))
		require.NoError(t, err)
		wrote := make(chan error, 1)
		go func() { _, err := p.c.Write([]byte("more")); wrote <- err }()
		synctest.Wait()
		assert.Empty(t, wrote, "a full buffer blocks the writer")
		p.n.SetFaults(client, server, memnet.ClientToServer, memnet.Faults{})
		_, err = io.ReadFull(p.s, make([]byte, memnet.DefaultBuffer))
		require.NoError(t, err)
		require.NoError(t, <-wrote, "reading makes room")
	})
}

func TestListenTwice(t *testing.T) {
	n := memnet.New(rand.New(rand.NewPCG(1, 0)))
	l, err := n.Listen(server)
	require.NoError(t, err)
	_, err = n.Listen(server)
	assert.True(t, errors.Is(err, syscall.EADDRINUSE))
	require.NoError(t, l.Close())
	_, err = l.Accept()
	assert.ErrorIs(t, err, net.ErrClosed)
	l2, err := n.Listen(server)
	require.NoError(t, err, "the address is free again")
	require.NoError(t, l2.Close())
}

// TestCloseHeldByACutLinkArrivesAfterHeal: an end that closes while the link is cut is
// forgotten by the link, yet its bytes and close still reach the peer once the link heals
// (found by FuzzSimulation: a server restarted during a partition left its client READY
// on a dead connection).
func TestCloseHeldByACutLinkArrivesAfterHeal(t *testing.T) {
	tests := []struct {
		name  string
		fault func(n *memnet.Network)
		heal  func(n *memnet.Network)
	}{
		{"stall", func(n *memnet.Network) {
			n.SetFaults(client, server, memnet.ServerToClient, memnet.Faults{Stall: true})
		}, func(n *memnet.Network) { n.SetFaults(client, server, memnet.ServerToClient, memnet.Faults{}) }},
		{"partition", func(n *memnet.Network) { n.Partition(client, server) }, func(n *memnet.Network) { n.Heal(client, server) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := connect(t, 1, nil)
				tt.fault(p.n)
				_, err := p.s.Write([]byte("bye"))
				require.NoError(t, err)
				require.NoError(t, p.s.Close())
				r := reading(p.c)
				time.Sleep(time.Hour)
				assert.True(t, pending(r), "nothing arrives while the link is cut")
				tt.heal(p.n)
				got := <-r
				require.NoError(t, got.err)
				assert.Equal(t, "bye", got.data)
				_, err = p.c.Read(make([]byte, 8))
				assert.ErrorIs(t, err, io.EOF, "then the close")
			})
		})
	}
}

// TestRestoreEndsEveryFaultAtOnce cuts a link every way at once, and checks that after
// Restore a request held by the stall is answered with no latency, and dials work again.
func TestRestoreEndsEveryFaultAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := connect(t, 1, nil)
		p.n.SetFaults(client, server, memnet.ClientToServer, memnet.Faults{Stall: true})
		p.n.SetFaults(client, server, memnet.ServerToClient, memnet.Faults{Latency: 10 * time.Millisecond})
		p.n.Partition(client, server)
		p.n.RefuseDials(client, server, true)
		go func() { // the server echoes what it reads
			buf := make([]byte, 64)
			n, err := p.s.Read(buf)
			if err == nil {
				_, _ = p.s.Write(buf[:n])
			}
		}()
		_, err := p.c.Write([]byte("ping"))
		require.NoError(t, err)
		echo := reading(p.c)
		time.Sleep(time.Hour)
		require.True(t, pending(echo), "nothing moves while the link is cut")

		restored := time.Now()
		p.n.Restore(client, server)
		got := <-echo
		require.NoError(t, got.err)
		assert.Equal(t, "ping", got.data)
		assert.Equal(t, restored, got.at, "the answer to a released request meets no fault the heal ended")
		for dir, name := range map[memnet.Direction]string{memnet.ClientToServer: "client→server", memnet.ServerToClient: "server→client"} {
			assert.Equal(t, memnet.Faults{}, p.n.Faults(client, server, dir), "%s faults after Restore", name)
		}
		c, err := p.n.Dial(context.Background(), client, server)
		require.NoError(t, err, "dials work after Restore")
		_ = c.Close()
		s, err := p.lis.Accept()
		require.NoError(t, err)
		_ = s.Close()
	})
}
