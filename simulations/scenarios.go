package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing/synctest"
	"time"

	"github.com/actorrpc/actorrpc"

	"github.com/actorrpc/actorrpc/simulations/memnet"
)

// scenario is a named run: how many clients it needs and what it does before the common
// ending (heal, settle, probe, shutdown, checks).
type scenario struct {
	name    string
	doc     string
	clients int
	run     func(w *World, steps int)
}

// scenarios are the named runs; "random" is the default.
var scenarios = []scenario{
	{"random", "a weighted random mix of calls, time and faults", 2, func(w *World, steps int) { w.runOps(randomOps, steps) }},
	{"restart", "the server restarts under load", 2, restartUnderLoad},
	{"partition-bidi", "a partition cuts bidi streams, then heals", 2, partitionBidi},
	{"deadline-storm", "1,000 calls with short deadlines on a stalled link", 1, deadlineStorm},
	{"cancel-storm", "calls of every kind cancelled at random times", 2, cancelStorm},
	{"panics", "handlers panic under load", 2, panicsUnderLoad},
	{"slow-reader", "slow readers against fast server streams of large messages", 1, slowReader},
	{"goaway", "GracefulStop (GOAWAY) during a burst, then a new server", 2, goawayBurst},
	{"reset-race", "calls made at the instant their connection is reset", 2, resetRace},
	{"half-open", "a half-open link (server→client bytes vanish) caught by keepalive", 1, halfOpen},
	{"backoff", "reconnect backoff after a long partition", 1, func(w *World, _ int) { backoffAfterPartition(w, false) }},
	{"backoff-spec", "backoff after a long partition, to gRPC's connection-backoff.md", 1, func(w *World, _ int) { backoffAfterPartition(w, true) }},
}

// keepaliveScenarios are the scenarios whose server and clients use keepalive.
var keepaliveScenarios = map[string]bool{"half-open": true}

func scenarioByName(name string) (scenario, bool) {
	i := slices.IndexFunc(scenarios, func(s scenario) bool { return s.name == name })
	if i < 0 {
		return scenario{}, false
	}
	return scenarios[i], true
}

func scenarioNames() []string {
	var out []string
	for _, s := range scenarios {
		out = append(out, s.name)
	}
	return out
}

// callsOnly is the workload mix without faults.
var callsOnly = []op{randomOps[0], randomOps[1]}

// startCalls starts n random calls, each from a random client, at this instant.
func (w *World) startCalls(n int, edit func(s *CallSpec)) {
	for range n {
		s := w.randomSpec(w.rng.IntN(len(w.clients)))
		if edit != nil {
			edit(&s)
		}
		w.startCall(s)
	}
	synctest.Wait()
}

func restartUnderLoad(w *World, steps int) {
	w.runOps(callsOnly, steps/2)
	restarts := 1 + w.rng.IntN(3)
	for range restarts {
		w.startCalls(20, nil)
		time.Sleep(time.Duration(1+w.rng.IntN(30)) * time.Millisecond)
		w.restartServer()
		synctest.Wait()
		w.runOps(callsOnly, steps/(2*restarts))
	}
}

func partitionBidi(w *World, steps int) {
	w.startCalls(30, func(s *CallSpec) {
		s.Kind, s.Msgs, s.Panic, s.Async = Bidi, 5+w.rng.IntN(20), false, false
		s.Sleep = time.Duration(1+w.rng.IntN(5))*time.Millisecond + sleepOffset
	})
	time.Sleep(time.Duration(5+w.rng.IntN(20)) * time.Millisecond)
	c := w.clients[w.rng.IntN(len(w.clients))].name
	w.net.Partition(c, serverAddr)
	w.model.Note("partition %s", c)
	w.runOps(callsOnly, steps/2)
	w.net.Heal(c, serverAddr)
	w.model.Note("heal %s", c)
	w.runOps(callsOnly, steps/2)
}

func deadlineStorm(w *World, _ int) {
	w.startCalls(1, func(s *CallSpec) { s.Kind, s.Panic, s.Deadline, s.CancelAfter = Unary, false, 0, 0 })
	time.Sleep(time.Second) // the first call connects the channel
	w.net.SetFaults("c1", serverAddr, memnet.ClientToServer, memnet.Faults{Stall: true})
	w.model.Note("stall c1 client→server")
	w.startCalls(1000, func(s *CallSpec) {
		s.Deadline = time.Duration(1+w.rng.IntN(50))*time.Millisecond + deadlineOffset
		s.CancelAfter = 0
	})
	time.Sleep(100 * time.Millisecond)
	synctest.Wait()
}

func cancelStorm(w *World, steps int) {
	for range max(steps/20, 5) {
		w.startCalls(50, func(s *CallSpec) {
			s.CancelAfter = time.Duration(w.rng.IntN(30))*time.Millisecond + cancelOffset
			s.Sleep = time.Duration(w.rng.IntN(20))*time.Millisecond + sleepOffset
		})
		time.Sleep(time.Duration(1+w.rng.IntN(10)) * time.Millisecond)
	}
}

func panicsUnderLoad(w *World, steps int) {
	for range max(steps/10, 10) {
		w.startCalls(20, func(s *CallSpec) { s.Panic = w.rng.IntN(3) == 0 })
		time.Sleep(time.Duration(1+w.rng.IntN(10)) * time.Millisecond)
	}
}

func slowReader(w *World, _ int) {
	w.startCalls(4, func(s *CallSpec) {
		s.Kind, s.Msgs, s.Size, s.Sleep, s.Panic = ServerStream, 100+w.rng.IntN(100), 16<<10, 0, false
		s.ReadDelay = time.Duration(1+w.rng.IntN(5))*time.Millisecond + readOffset
		s.Deadline, s.CancelAfter = 0, 0
	})
	time.Sleep(2 * time.Second)
}

// backoffAfterPartition partitions a READY channel for five minutes, then heals it. strict
// holds the dials to gRPC's connection-backoff.md; otherwise to the runtime's own policy.
func backoffAfterPartition(w *World, strict bool) {
	w.startCalls(1, func(s *CallSpec) { s.Kind, s.Panic, s.Deadline, s.CancelAfter = Unary, false, 0, 0 })
	time.Sleep(time.Second)
	w.net.Partition("c1", serverAddr)
	w.model.Note("partition c1 (connections reset: %d)", w.net.Reset("c1", serverAddr))
	synctest.Wait() // the channel has seen its connection break
	w.clients[0].ch.Connect()
	w.model.Note("c1 connect")
	const partition = 5 * time.Minute
	time.Sleep(partition)
	w.checkBackoff("c1", partition, strict)
	w.net.Heal("c1", serverAddr)
	w.model.Note("heal c1")
	time.Sleep(backoffMax + minConnectTimeout)
	synctest.Wait()
	if st := w.clients[0].ch.State(); st != actorrpc.Ready {
		w.model.mu.Lock()
		w.model.violatef("c1: %s %v after the heal; want READY", st, backoffMax+minConnectTimeout)
		w.model.mu.Unlock()
	}
}

// checkBackoff checks the failed dials of a partition that lasted d. Each attempt hangs for
// its connect timeout, max(backoff, minimum connect timeout), so with backoffs capped at
// backoffMax:
//
//   - strict, gRPC's connection-backoff.md: the next attempt starts at
//     max(the last start + backoff, the last failure), so failures are at most
//     max(backoffMax, minConnectTimeout) apart;
//   - otherwise the runtime's policy: it waits a full backoff after each failure, so
//     failures are at most backoffMax + max(backoffMax, minConnectTimeout) apart.
func (w *World) checkBackoff(client string, d time.Duration, strict bool) {
	longest := max(backoffMax, minConnectTimeout)
	if !strict {
		longest += backoffMax
	}
	failed := w.model.eventsMatching(client + " dial failed")
	m := w.model
	m.mu.Lock()
	defer m.mu.Unlock()
	if least := int(d / longest); len(failed) < least {
		m.violatef("%s: %d failed dials in %v; want at least %d", client, len(failed), d, least)
	}
	for i := 1; i < len(failed); i++ {
		if gap := failed[i] - failed[i-1]; gap < minConnectTimeout || gap > longest+tick {
			m.violatef("%s: dial %d failed %v after the one before; want %v to %v", client, i, gap, minConnectTimeout, longest)
		}
	}
}

// drainTimeout bounds a graceful stop: far longer than any call of the workload lasts
// without faults, so a drain that runs out of time is a violation.
const drainTimeout = 10 * time.Second

// hangLimit is how long after a drain every call made before it may take to end.
const hangLimit = time.Second

// goawayBurst drains the server with GracefulStop (GOAWAY) in the middle of a burst of
// calls, starts a new server at the same address, and makes calls that must succeed.
//
// A call of the burst ends OK, or UNAVAILABLE if the old server never ran its handler (the
// stream came after the GOAWAY, or the dial found no listener), or with what its own
// deadline, cancellation or panic gives; a call whose handler the draining server started
// is finished, not cut off. Every call of the burst has ended hangLimit after the drain.
// After the restart, wait-for-ready calls without deadline, cancellation or panic end OK.
func goawayBurst(w *World, steps int) {
	w.runOps(callsOnly, steps/4)
	first := w.nextID + 1
	w.startCalls(20+w.rng.IntN(30), nil)
	time.Sleep(time.Duration(1+w.rng.IntN(10))*time.Millisecond + latencyOffset)
	old := w.server
	w.model.Note("%s graceful stop", old.name)
	drained := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
		defer cancel()
		drained <- old.srv.GracefulStop(ctx)
	}()
	synctest.Wait()
	for range 1 + w.rng.IntN(3) { // the rest of the burst, during the drain
		w.startCalls(5+w.rng.IntN(15), nil)
		time.Sleep(time.Duration(1+w.rng.IntN(5)) * time.Millisecond)
	}
	last := w.nextID
	err := <-drained
	w.model.Note("%s drained: %v", old.name, err)
	if serr := <-old.served; serr != nil && !errors.Is(serr, actorrpc.ErrServerStopped) {
		w.violatef("%s: Serve returned %v", old.name, serr)
	}
	if err != nil {
		w.violatef("%s: GracefulStop: %v; want the calls drained within %v", old.name, err, drainTimeout)
	}
	time.Sleep(hangLimit)
	synctest.Wait()
	w.checkEnded(first, last, "a second after the drain")
	w.atEnd = append(w.atEnd, func() { w.checkDrained(first, last, old.name) })

	w.restarts++
	w.startServer()
	waitFirst := w.nextID + 1
	w.startCalls(10+w.rng.IntN(20), func(s *CallSpec) { s.WaitForReady = true })
	time.Sleep(backoffMax + minConnectTimeout) // the channels are READY again
	synctest.Wait()
	w.runOps(callsOnly, steps/4)
	laterLast := w.nextID
	w.atEnd = append(w.atEnd, func() { w.checkCodes(waitFirst, laterLast, "after the restart", actorrpc.OK) })
}

// violatef records a broken invariant from the driving goroutine.
func (w *World) violatef(format string, a ...any) {
	w.model.mu.Lock()
	defer w.model.mu.Unlock()
	w.model.violatef(format, a...)
}

// checkEnded checks that calls first..last have all ended.
func (w *World) checkEnded(first, last int, when string) {
	m := w.model
	m.mu.Lock()
	defer m.mu.Unlock()
	for id := first; id <= last; id++ {
		if m.calls[id].ends == 0 {
			m.violatef("call %d: still running %s", id, when)
		}
	}
}

// allowedCodes are the codes a call may end with: codes, and those its own deadline,
// cancellation or panic give.
func allowedCodes(s CallSpec, codes ...actorrpc.Code) []actorrpc.Code {
	allowed := slices.Clone(codes)
	if s.Deadline > 0 {
		allowed = append(allowed, actorrpc.DeadlineExceeded)
	}
	if s.CancelAfter > 0 {
		allowed = append(allowed, actorrpc.Canceled)
	}
	if s.Panic {
		allowed = append(allowed, actorrpc.Internal)
	}
	return allowed
}

// checkDrained checks the codes of calls first..last, made around the drain of server.
func (w *World) checkDrained(first, last int, server string) {
	w.checkCodes(first, last, "around the drain of "+server, actorrpc.OK, actorrpc.Unavailable)
	m := w.model
	m.mu.Lock()
	defer m.mu.Unlock()
	for id := first; id <= last; id++ {
		c := m.calls[id]
		if h := m.handlers[id]; c.code == actorrpc.Unavailable && h != nil && h.server == server {
			m.violatef("call %d (%s): UNAVAILABLE although %s had started its handler: the drain cut it off", id, c.spec, server)
		}
	}
}

// checkCodes checks that calls first..last ended with one of the codes, or with what their
// own deadline, cancellation or panic gives.
func (w *World) checkCodes(first, last int, when string, codes ...actorrpc.Code) {
	m := w.model
	m.mu.Lock()
	defer m.mu.Unlock()
	for id := first; id <= last; id++ {
		c := m.calls[id]
		if allowed := allowedCodes(c.spec, codes...); !slices.Contains(allowed, c.code) {
			m.violatef("call %d (%s): %s %s; want one of %v", id, c.spec, c.code, when, allowed)
		}
	}
}

// halfOpen makes the client's link half-open while calls wait for their answers: the
// server's bytes vanish, no error on either side. Keepalive must find it: the client reads
// nothing for kaTime, pings, hears nothing for kaTimeout, and closes the connection, so every
// call in flight ends UNAVAILABLE within kaTime+kaTimeout of the drop (the last read came
// before it). Then the link heals and the channel must reconnect: wait-for-ready calls
// succeed.
func halfOpen(w *World, steps int) {
	w.runOps(callsOnly, steps/2)
	time.Sleep(time.Second) // the calls end; the channel is READY
	synctest.Wait()
	first := w.nextID + 1
	w.startCalls(5+w.rng.IntN(10), func(s *CallSpec) {
		s.Sleep = time.Minute + sleepOffset // far longer than keepalive takes
		s.Deadline, s.CancelAfter, s.Panic, s.ReadDelay = 0, 0, false, 0
	})
	last := w.nextID
	time.Sleep(time.Duration(1+w.rng.IntN(50))*time.Millisecond + latencyOffset)
	c := w.clients[0].name
	w.net.SetFaults(c, serverAddr, memnet.ServerToClient, memnet.Faults{Drop: true})
	w.model.Note("drop %s %s", c, memnet.ServerToClient)
	time.Sleep(kaTime + kaTimeout + tick)
	synctest.Wait()
	w.checkEnded(first, last, fmt.Sprintf("%v after the link went half-open (keepalive %v+%v)", kaTime+kaTimeout+tick, kaTime, kaTimeout))
	w.atEnd = append(w.atEnd, func() { w.checkCodes(first, last, "on the half-open link", actorrpc.Unavailable) })

	time.Sleep(time.Duration(w.rng.IntN(30)) * time.Second) // the channel tries again, in vain
	w.net.SetFaults(c, serverAddr, memnet.ServerToClient, memnet.Faults{})
	w.model.Note("heal %s %s", c, memnet.ServerToClient)
	healedFirst := w.nextID + 1
	w.startCalls(5+w.rng.IntN(10), func(s *CallSpec) {
		s.WaitForReady, s.Deadline, s.CancelAfter, s.Panic = true, 0, 0, false
	})
	healedLast := w.nextID
	time.Sleep(backoffMax + minConnectTimeout + kaTime + kaTimeout)
	synctest.Wait()
	w.checkEnded(healedFirst, healedLast, "after the heal")
	if st := w.clients[0].ch.State(); st != actorrpc.Ready {
		w.violatef("%s: %s after the heal; want READY", c, st)
	}
	w.atEnd = append(w.atEnd, func() { w.checkCodes(healedFirst, healedLast, "after the heal", actorrpc.OK) })
	w.runOps(callsOnly, steps/2)
}

// resetRace resets a client's link, sometimes with its dials refused, and at the same
// instant, before the channel has seen the reset, makes fail-fast calls without deadline
// from that client. Each must end promptly: OK on a new connection, or UNAVAILABLE; with
// dials refused, UNAVAILABLE. None may wait for a deadline it does not have.
//
// This scenario is a race on purpose, and the only one whose trace is not a function of its
// seed: whether such a call reaches the broken connection or the next one is the scheduler's
// pick, at one fake instant. Its invariants hold either way; a failing seed may need a few
// replays.
func resetRace(w *World, steps int) {
	const prompt = minConnectTimeout + backoffMax + tick
	for range max(steps/10, 5) {
		w.startCalls(5+w.rng.IntN(10), nil)
		time.Sleep(time.Duration(w.rng.IntN(20))*time.Millisecond + latencyOffset)
		i := w.rng.IntN(len(w.clients))
		c := w.clients[i].name
		refuse := w.rng.IntN(2) == 0
		w.net.RefuseDials(c, serverAddr, refuse)
		w.model.Note("reset %s (%d connections), refuse dials %v", c, w.net.Reset(c, serverAddr), refuse)
		first := w.nextID + 1
		for range 1 + w.rng.IntN(5) {
			s := w.randomSpec(i)
			s.Deadline, s.CancelAfter, s.WaitForReady, s.ReadDelay = 0, 0, false, 0
			w.startCall(s)
		}
		last := w.nextID
		synctest.Wait()
		time.Sleep(prompt)
		synctest.Wait()
		w.checkEnded(first, last, fmt.Sprintf("%v after a reset at their start", prompt))
		codes := []actorrpc.Code{actorrpc.Unavailable}
		if !refuse {
			codes = append(codes, actorrpc.OK)
		}
		w.atEnd = append(w.atEnd, func() { w.checkCodes(first, last, "after a reset at their start", codes...) })
		w.net.RefuseDials(c, serverAddr, false)
		time.Sleep(backoffMax + minConnectTimeout)
	}
}
