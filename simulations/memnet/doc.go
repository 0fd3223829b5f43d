// Package memnet is an in-memory network for running real actorrpc clients and servers
// without sockets, with faults injected per link and per direction.
//
// A Network hands out Listeners (for Server.Serve) and dial functions (for
// actorrpc.WithContextDialer). A link is the pair (client name, server address); its two
// directions, ClientToServer and ServerToClient, carry their own Faults:
//
//   - Latency and Jitter delay every write. The jitter is drawn per millisecond of fake time
//     and bounded so that bytes never overtake: a byte's arrival time is a function of the
//     time it was written alone, not of how the writer batched its bytes or of which other
//     writes (window updates, pings) it made, which keeps seeded runs reproducible.
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
// *rand.Rand given to New: New draws one seed from it, and each connection direction
// derives its jitter from that seed, the link, the connection's ordinal on the link and the
// fake time, so concurrent writers never race for random numbers.
//
// Every blocking operation waits on a channel or a sync.Cond, which a synctest bubble
// counts as durably blocked.
package memnet
