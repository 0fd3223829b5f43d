// Package memnet is an in-memory network for running real actorrpc clients and servers
// without sockets, with faults injected per link and per direction.
//
// A Network hands out Listeners (for Server.Serve) and dial functions (for
// actorrpc.WithContextDialer). A link is the pair (client name, server address); its two
// directions, ClientToServer and ServerToClient, carry their own Faults:
//
//   - Latency and Jitter delay every write. All writes made at the same instant of time share
//     one delay, so the arrival times do not depend on how a writer batches its bytes, and
//     bytes always arrive in the order they were written.
//   - Stall holds bytes in flight while the connection stays open; they arrive when the
//     stall ends.
//   - Drop makes one side's writes vanish without an error (a half-open connection).
//
// and link-wide faults: Partition (both directions stall and new dials hang until Heal),
// RefuseDials, and Reset (every live connection of the link fails with ECONNRESET on both
// ends).
//
// Time comes from the time package only, through timers, so a Network run inside a
// testing/synctest bubble runs on the bubble's fake clock. All randomness comes from the
// *rand.Rand given to New: New draws one seed from it, and every connection direction
// derives its own generator from that seed, the link and the connection's ordinal on the
// link, so concurrent writers on different connections never race for random numbers.
//
// Every blocking operation waits on a channel or a sync.Cond, which a synctest bubble
// counts as durably blocked.
package memnet
