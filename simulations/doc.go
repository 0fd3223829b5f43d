// Command simulations runs seeded fault-injection simulations of real actorrpc clients and
// servers over memnet, the in-memory faulty network, and checks invariants as it goes.
//
//	go run ./simulations -seed 1                  # one run of the random scenario
//	go run ./simulations -seed 1 -trace           # … and print its trace
//	go run ./simulations -seed 1 -seeds 500       # seeds 1 to 500
//	go run ./simulations -scenario deadline-storm # a named scenario
//	go run ./simulations -list                    # the scenarios
//
// # A run is a function of its seed
//
// Each run builds a World inside a testing/synctest bubble: a memnet network, an actorrpc
// server and clients, each in an actor system of its own, all started inside the bubble.
// Time is the bubble's fake clock, which moves only when every goroutine of the bubble is
// blocked, so deadlines, backoff, latency and stalls take no real time and fire at exact
// fake instants. All randomness comes from one *rand.Rand seeded with the seed: the
// workload generator draws from it on the driving goroutine, and memnet derives each
// connection's jitter from one value drawn from it.
//
// The command runs the bubble through testing.Main with a single test per seed, because
// synctest.Test needs a *testing.T; the tests of this package run the same Run function
// inside synctest.Test directly. Either way the world is the same and the trace is the same.
//
// # Parts
//
//   - The generator (workload.go) draws a weighted mix of steps: calls of all four method
//     kinds (blocking and Future-based unary, server, client and bidi streams; small and
//     large messages; metadata; deadlines; cancellations; panicking handlers; slow
//     readers), fake time passing, and faults (latency and jitter, stalls, partitions and
//     heals, resets, refused dials, server restarts). After each step the driver waits for
//     the bubble to be idle.
//   - The model (model*.go) records what each side observed, as per-call facts and as
//     trace events.
//   - The validators check at each event and at the end of a run (see README.md):
//     exactly one status per call on the client, at most one handler end per call on the
//     server, deadlines and cancellations honoured within one tick, stream messages in
//     order without loss or duplication, OK only when the handler completed, allowed
//     connectivity transitions, READY again after a heal, no goroutine left (the bubble
//     fails if one outlives the run).
//
// # Fuzz
//
// FuzzSimulation (fuzz_test.go) reads a run from its input: the first eight bytes are the
// seed, each further byte one step of the random mix (WorkloadFromBytes).
//
// # Traces
//
// The trace has one line per event: the fake nanoseconds since the run began and the event.
// Events of one fake instant, whose order the Go scheduler picks, are sorted by text. It
// holds no wall-clock times, stream ids or pointers, so one seed gives byte-identical
// traces; a failing run prints the command that replays it.
package main
