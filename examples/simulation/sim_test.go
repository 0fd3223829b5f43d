package main

import (
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/simulations/memnet"
)

// TestPartitionThenHeal is the fault-injection test you would write for your own service:
// in a synctest bubble the clock is fake, so the one-second deadline takes no real time.
// The bubble ends with a minute of fake time, in which the runtime's idle goroutines (warm
// dispatcher workers, dead-letter throttles) see their timers fire and exit.
func TestPartitionThenHeal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		defer time.Sleep(time.Minute)
		n := memnet.New(rand.New(rand.NewPCG(1, 2)))
		client, stop, err := start(n)
		require.NoError(t, err)
		defer stop()
		_, err = hello(client, time.Second) // connects
		require.NoError(t, err)
		n.Partition(clientName, addr)
		_, err = hello(client, time.Second)
		assert.Equal(t, actorrpc.DeadlineExceeded, actorrpc.CodeOf(err))
		n.Heal(clientName, addr)
		_, err = hello(client, time.Second)
		assert.NoError(t, err)
	})
}

// TestFaults checks what one call sees under each fault, and that the next call after the
// fault ends succeeds.
func TestFaults(t *testing.T) {
	const link = memnet.ClientToServer
	tests := []struct {
		name  string
		fault func(n *memnet.Network)
		heal  func(n *memnet.Network)
		want  actorrpc.Code
	}{
		{"partition", func(n *memnet.Network) { n.Partition(clientName, addr) },
			func(n *memnet.Network) { n.Heal(clientName, addr) }, actorrpc.DeadlineExceeded},
		{"stall", func(n *memnet.Network) { n.SetFaults(clientName, addr, link, memnet.Faults{Stall: true}) },
			func(n *memnet.Network) { n.SetFaults(clientName, addr, link, memnet.Faults{}) }, actorrpc.DeadlineExceeded},
		{"latency over the deadline", func(n *memnet.Network) {
			n.SetFaults(clientName, addr, link, memnet.Faults{Latency: 2 * time.Second})
		}, func(n *memnet.Network) { n.SetFaults(clientName, addr, link, memnet.Faults{}) }, actorrpc.DeadlineExceeded},
		{"reset and refused dials", func(n *memnet.Network) {
			n.RefuseDials(clientName, addr, true)
			n.Reset(clientName, addr)
		}, func(n *memnet.Network) { n.RefuseDials(clientName, addr, false) }, actorrpc.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				defer time.Sleep(time.Minute)
				n := memnet.New(rand.New(rand.NewPCG(1, 2)))
				client, stop, err := start(n)
				require.NoError(t, err)
				defer stop()
				_, err = hello(client, time.Second)
				require.NoError(t, err, "before the fault")
				tt.fault(n)
				synctest.Wait() // the client and the server see the fault
				start := time.Now()
				_, err = hello(client, time.Second)
				assert.Equal(t, tt.want, actorrpc.CodeOf(err))
				assert.LessOrEqual(t, time.Since(start), time.Second, "no call outlives its deadline")
				tt.heal(n)
				_, err = hello(client, 5*time.Second, actorrpc.WaitForReady(true))
				assert.NoError(t, err, "after the heal")
			})
		})
	}
}
