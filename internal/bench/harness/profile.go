package harness

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// ProcessFlags are the flags every benchmark process takes.
type ProcessFlags struct {
	GOMAXPROCS     int
	CPUProfile     string
	MemProfile     string
	MemProfileRate int
}

func (p *ProcessFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&p.GOMAXPROCS, "gomaxprocs", 0, "GOMAXPROCS for this process (0: leave as is)")
	fs.StringVar(&p.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured window (clients) or the whole run (servers) to this file")
	fs.StringVar(&p.MemProfile, "memprofile", "", "write an allocation profile to this file at exit")
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

// cpuProfile is a CPU profile being written, or nothing.
type cpuProfile struct{ f *os.File }

func startCPUProfile(path string) (cpuProfile, error) {
	if path == "" {
		return cpuProfile{}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return cpuProfile{}, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return cpuProfile{}, fmt.Errorf("start CPU profile: %w", err)
	}
	return cpuProfile{f: f}, nil
}

func (c cpuProfile) stop() error {
	if c.f == nil {
		return nil
	}
	pprof.StopCPUProfile()
	return c.f.Close()
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
