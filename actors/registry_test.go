package actors

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestCompactRegistryKeepsSystemProcesses checks that the system's own processes, moved
// into the one bucket, are still found, and that actors spawned afterwards are registered,
// reachable and removed again.
func TestCompactRegistryKeepsSystemProcesses(t *testing.T) {
	defer goleak.VerifyNone(t)
	system := NewSystem()
	registry := system.ProcessRegistry
	require.Len(t, registry.LocalPIDs.LocalPIDs, 1, "registry buckets")

	for _, id := range []string{"deadletter", "eventstream"} {
		_, found := registry.GetLocal(id)
		assert.True(t, found, "system process %q after compaction", id)
	}

	const n = 100
	pids := make([]*actor.PID, n)
	got := make(chan int, n)
	for i := range pids {
		pids[i] = system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
			if v, ok := ctx.Message().(int); ok {
				got <- v
			}
		}))
	}
	assert.Equal(t, n+2, registry.LocalPIDs.LocalPIDs[0].Count(), "registered processes")
	for i, pid := range pids {
		system.Root.Send(actor.NewPID(pid.Address, pid.Id), i) // a fresh PID: found by id
	}
	seen := map[int]bool{}
	for range n {
		select {
		case v := <-got:
			seen[v] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d of %d messages; want all", len(seen), n)
		}
	}
	assert.Len(t, seen, n, "distinct messages delivered")
	for _, pid := range pids {
		require.NoError(t, system.Root.StopFuture(pid).Wait())
	}
	assert.Equal(t, 2, registry.LocalPIDs.LocalPIDs[0].Count(), "processes left once the actors stopped")
}
