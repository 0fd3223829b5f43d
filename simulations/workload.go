package main

import (
	"testing/synctest"
	"time"

	"github.com/actorrpc/actorrpc/simulations/memnet"
)

// The generator: a weighted mix of calls, time passing and faults. Every draw comes from
// the world's rng, on the driving goroutine, so a seed fixes the whole workload.
//
// Durations carry distinct offsets within a millisecond so that two independent events of
// a run almost never fall on the same fake instant, where the scheduler, not the seed, would
// pick their order: steps are whole milliseconds, deadlines end in 500 µs, cancellations in
// 750 µs, link latencies in 1 µs; handler sleeps (3 ns) and read delays (7 ns), which add up
// along a stream, stay far below a microsecond in any sum a run makes.
const (
	deadlineOffset = 500 * time.Microsecond
	cancelOffset   = 750 * time.Microsecond
	latencyOffset  = time.Microsecond
	sleepOffset    = 3 * time.Nanosecond
	readOffset     = 7 * time.Nanosecond
)

// op is one kind of workload step.
type op struct {
	name   string
	weight int
	run    func(w *World)
}

// randomOps is the mix of the random scenario.
var randomOps = []op{
	{"call", 50, func(w *World) { w.startCall(w.randomSpec(w.rng.IntN(len(w.clients)))) }},
	{"advance", 30, func(w *World) { time.Sleep(time.Duration(1+w.rng.IntN(20)) * time.Millisecond) }},
	{"latency", 5, (*World).randomLatency},
	{"stall", 3, func(w *World) { w.setStall(true) }},
	{"unstall", 3, func(w *World) { w.setStall(false) }},
	{"partition", 2, func(w *World) { c := w.randomClient(); w.net.Partition(c, serverAddr); w.model.Note("partition %s", c) }},
	{"heal", 3, func(w *World) { c := w.randomClient(); w.net.Heal(c, serverAddr); w.model.Note("heal %s", c) }},
	{"reset", 2, func(w *World) {
		c := w.randomClient()
		w.model.Note("reset %s (%d connections)", c, w.net.Reset(c, serverAddr))
	}},
	{"refuse", 1, func(w *World) {
		c, refuse := w.randomClient(), w.rng.IntN(2) == 0
		w.net.RefuseDials(c, serverAddr, refuse)
		w.model.Note("refuse dials %s %v", c, refuse)
	}},
	{"restart", 1, (*World).restartServer},
	{"connect", 2, func(w *World) {
		c := w.clients[w.rng.IntN(len(w.clients))]
		c.ch.Connect()
		w.model.Note("%s connect", c.name)
	}},
}

// pick draws one op by weight.
func (w *World) pick(ops []op) op {
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	return w.pickN(ops, w.rng.IntN(total))
}

// pickN picks the op that n, in [0, the ops' total weight), falls on.
func (w *World) pickN(ops []op, n int) op {
	for _, o := range ops {
		if n < o.weight {
			return o
		}
		n -= o.weight
	}
	return ops[len(ops)-1]
}

// runOps takes steps random steps, each followed by a wait for the bubble to be idle, so
// that everything a step set off at this instant happens before the next step.
func (w *World) runOps(ops []op, steps int) {
	for range steps {
		w.pick(ops).run(w)
		synctest.Wait()
	}
}

// WorkloadFromBytes splits a fuzz input into a seed (its first eight bytes, little-endian,
// zero-padded) and a workload (the rest, at most maxSteps bytes, one step each).
func WorkloadFromBytes(data []byte, maxSteps int) (seed uint64, workload []byte) {
	for i, b := range data[:min(8, len(data))] {
		seed |= uint64(b) << (8 * i)
	}
	if len(data) <= 8 {
		return seed, []byte{}
	}
	rest := data[8:]
	return seed, rest[:min(len(rest), maxSteps)]
}

// runBytes takes one step per byte: the byte picks an op of ops by weight, as pick does
// with a random number, so every byte value is some op and the mix stays weighted.
func (w *World) runBytes(ops []op, workload []byte) {
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	for _, b := range workload {
		w.pickN(ops, int(b)*total/256).run(w)
		synctest.Wait()
	}
}

func (w *World) randomClient() string { return w.clients[w.rng.IntN(len(w.clients))].name }

func (w *World) randomDirection() memnet.Direction {
	return memnet.Direction(w.rng.IntN(2))
}

// randomLatency gives one direction of one link a new latency and jitter.
func (w *World) randomLatency() {
	c, dir := w.randomClient(), w.randomDirection()
	f := w.net.Faults(c, serverAddr, dir)
	f.Latency = time.Duration(w.rng.IntN(5))*time.Millisecond + latencyOffset
	f.Jitter = time.Duration(w.rng.IntN(3)) * time.Millisecond
	w.net.SetFaults(c, serverAddr, dir, f)
	w.model.Note("latency %s %s %v+%v", c, dir, f.Latency, f.Jitter)
}

// setStall stalls or releases one direction of one link.
func (w *World) setStall(stall bool) {
	c, dir := w.randomClient(), w.randomDirection()
	f := w.net.Faults(c, serverAddr, dir)
	f.Stall = stall
	w.net.SetFaults(c, serverAddr, dir, f)
	w.model.Note("stall %s %s %v", c, dir, stall)
}

// randomSpec draws a call: its kind, size, timing, deadline, cancellation and panic.
func (w *World) randomSpec(client int) CallSpec {
	r := w.rng
	s := w.newSpec(client, w.randomKind())
	s.Msgs = 1 + r.IntN(8)
	s.Size = 16 + r.IntN(240)
	if r.IntN(10) == 0 {
		s.Size = 16<<10 + r.IntN(240<<10) // large: window updates, and many frames to a side of smallFrames
	}
	if r.IntN(2) == 0 {
		s.Sleep = time.Duration(r.IntN(20))*time.Millisecond + sleepOffset
	}
	if s.Kind == ServerStream && r.IntN(10) == 0 {
		s.ReadDelay = time.Duration(1+r.IntN(5))*time.Millisecond + readOffset
	}
	if r.IntN(10) < 4 {
		s.Deadline = time.Duration(5+r.IntN(200))*time.Millisecond + deadlineOffset
	}
	if r.IntN(10) == 0 {
		s.CancelAfter = time.Duration(1+r.IntN(100))*time.Millisecond + cancelOffset
	}
	s.Panic = r.IntN(20) == 0
	s.Async = s.Kind == Unary && r.IntN(2) == 0
	return s
}

// randomKind draws a method kind: unary 40 %, each streaming kind 20 %.
func (w *World) randomKind() Kind {
	switch n := w.rng.IntN(10); {
	case n < 4:
		return Unary
	case n < 6:
		return ServerStream
	case n < 8:
		return ClientStream
	default:
		return Bidi
	}
}
