package harness

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// Snapshot is the cumulative cost a process has paid so far. Two snapshots bracket a
// measurement window; their difference divided by the operations in the window is the cost
// per operation.
type Snapshot struct {
	CPU     time.Duration `json:"cpu_ns"`      // user + system CPU time (getrusage)
	Mallocs uint64        `json:"mallocs"`     // heap objects allocated (runtime.MemStats)
	Bytes   uint64        `json:"alloc_bytes"` // heap bytes allocated (runtime.MemStats)
	Writes  int64         `json:"writes"`      // write syscalls (syscw in /proc/self/io), -1 if unknown
	NumGC   uint32        `json:"num_gc"`
	Ops     int64         `json:"ops"` // operations the process counted (servers: see CountOp)
	// Goroutines is runtime.NumGoroutine: a server whose count keeps growing from run to
	// run leaks streams or calls.
	Goroutines int `json:"goroutines"`
}

// TakeSnapshot reads the process's counters. It stops the world briefly (ReadMemStats):
// call it only at the edges of a measurement window.
func TakeSnapshot(ops int64) Snapshot {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var ru syscall.Rusage
	var cpu time.Duration
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return Snapshot{CPU: cpu, Mallocs: ms.Mallocs, Bytes: ms.TotalAlloc, Writes: writeSyscalls(), NumGC: ms.NumGC, Ops: ops, Goroutines: runtime.NumGoroutine()}
}

// writeSyscalls returns the process's count of write-family syscalls (write, writev, …;
// Go's net.Conn.Write is one write(2) per call, sendmsg is not counted), or -1 where
// /proc/self/io is missing.
func writeSyscalls() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("syscw: ")); ok {
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// Cost is what one operation cost a process, averaged over a window.
type Cost struct {
	CPUMicros float64 `json:"cpu_us_per_op"`
	Allocs    float64 `json:"allocs_per_op"`
	Bytes     float64 `json:"bytes_per_op"`
	Writes    float64 `json:"writes_per_op"` // negative if unknown
	GCs       uint32  `json:"gcs"`           // collections in the window
	Ops       int64   `json:"ops"`
}

// CostBetween divides the growth from a to b by ops (b.Ops-a.Ops if ops is 0).
func CostBetween(a, b Snapshot, ops int64) Cost {
	if ops == 0 {
		ops = b.Ops - a.Ops
	}
	if ops <= 0 {
		return Cost{Writes: -1}
	}
	n := float64(ops)
	c := Cost{
		CPUMicros: float64(b.CPU-a.CPU) / float64(time.Microsecond) / n,
		Allocs:    float64(b.Mallocs-a.Mallocs) / n,
		Bytes:     float64(b.Bytes-a.Bytes) / n,
		Writes:    -1,
		GCs:       b.NumGC - a.NumGC,
		Ops:       ops,
	}
	if a.Writes >= 0 && b.Writes >= 0 {
		c.Writes = float64(b.Writes-a.Writes) / n
	}
	return c
}
