package harness

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"syscall"
)

// ServerFlags are the flags of the benchmark servers.
type ServerFlags struct {
	Addr  string
	Admin string
	ProcessFlags
}

// Register adds the flags to fs.
func (f *ServerFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Addr, "addr", "127.0.0.1:0", "address to serve BenchmarkService on")
	fs.StringVar(&f.Admin, "admin", "127.0.0.1:0", "address of the admin HTTP endpoint (GET /stats)")
	f.register(fs)
}

var served atomic.Int64

// CountOp counts one operation served; the servers' handlers call it: once per unary RPC,
// once per ping-pong response, once per message a server stream sends.
func CountOp() { served.Add(1) }

// ServerProcess is a benchmark server's process-wide part: profiles and the admin endpoint.
type ServerProcess struct {
	flags ServerFlags
	rec   recording
	admin net.Listener
	start Snapshot
}

// StartServer applies the process flags, starts the CPU profile and the admin endpoint, and
// prints "READY addr=<lis address> admin=<admin address>" on stdout.
func StartServer(f ServerFlags, lis net.Listener) (*ServerProcess, error) {
	f.apply()
	p := &ServerProcess{flags: f}
	var err error
	if p.rec, err = startRecording(f.ProcessFlags); err != nil {
		return nil, err
	}
	if p.admin, err = net.Listen("tcp", f.Admin); err != nil {
		_ = p.rec.stop()
		return nil, fmt.Errorf("admin endpoint: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		s := TakeSnapshot(served.Load())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s)
	})
	mux.HandleFunc("GET /heap", func(w http.ResponseWriter, _ *http.Request) {
		runtime.GC()
		_ = pprof.Lookup("heap").WriteTo(w, 0)
	})
	go func() {
		if err := http.Serve(p.admin, mux); err != nil && !errors.Is(err, net.ErrClosed) {
			fmt.Fprintln(os.Stderr, "admin endpoint:", err)
		}
	}()
	p.start = TakeSnapshot(0)
	fmt.Printf("READY addr=%s admin=%s\n", lis.Addr(), p.admin.Addr())
	return p, nil
}

// WaitForSignal blocks until SIGINT or SIGTERM.
func WaitForSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	<-c
	signal.Stop(c)
}

// Finish writes the profiles, closes the admin endpoint, and prints the cost per operation
// over the server's whole life on stderr.
func (p *ServerProcess) Finish() error {
	end := TakeSnapshot(served.Load())
	err := errors.Join(p.rec.stop(), writeMemProfile(p.flags.MemProfile), p.admin.Close())
	c := CostBetween(p.start, end, 0)
	fmt.Fprintf(os.Stderr, "server: %d ops; per op: %.1f µs CPU, %.1f allocs, %.0f B, %.2f writes\n",
		end.Ops, c.CPUMicros, c.Allocs, c.Bytes, c.Writes)
	return err
}
