package harness

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// ProcessFlags are the flags every benchmark process takes.
type ProcessFlags struct {
	GOMAXPROCS     int
	CPUProfile     string
	MemProfile     string
	MemProfileRate int
	Trace          string
}

func (p *ProcessFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&p.GOMAXPROCS, "gomaxprocs", 0, "GOMAXPROCS for this process (0: leave as is)")
	fs.StringVar(&p.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured window (clients) or the whole run (servers) to this file")
	fs.StringVar(&p.MemProfile, "memprofile", "", "write an allocation profile to this file at exit")
	fs.StringVar(&p.Trace, "trace", "", "write an execution trace of the measured window (clients) or the whole run (servers) to this file")
	fs.IntVar(&p.MemProfileRate, "memprofilerate", 0, "runtime.MemProfileRate when -memprofile is set (0: Go's default, 1: every allocation)")
}

func (p *ProcessFlags) apply() {
	if p.GOMAXPROCS > 0 {
		runtime.GOMAXPROCS(p.GOMAXPROCS)
	}
	if p.MemProfile != "" && p.MemProfileRate > 0 {
		runtime.MemProfileRate = p.MemProfileRate
	}
}

// recording is a CPU profile and an execution trace being written, each or both absent.
type recording struct{ cpu, trace *os.File }

// startRecording starts the CPU profile and the execution trace that p asks for. On an
// error nothing is left running, and the recording it returns is empty.
func startRecording(p ProcessFlags) (recording, error) {
	var r recording
	var err error
	if r.cpu, err = startFile(p.CPUProfile, pprof.StartCPUProfile); err != nil {
		return r, fmt.Errorf("start CPU profile: %w", err)
	}
	if r.trace, err = startFile(p.Trace, trace.Start); err != nil {
		return recording{}, errors.Join(fmt.Errorf("start trace: %w", err), r.stop())
	}
	return r, nil
}

// startFile creates path and starts writing to it, or does nothing if path is empty.
func startFile(path string, start func(io.Writer) error) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (r recording) stop() error {
	var err error
	if r.cpu != nil {
		pprof.StopCPUProfile()
		err = r.cpu.Close()
	}
	if r.trace != nil {
		trace.Stop()
		err = errors.Join(err, r.trace.Close())
	}
	return err
}

func writeMemProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
