// Package rawh2 is a raw HTTP/2 peer for tests: it writes exactly the frames a test asks
// for, good or bad, and reads the frames the other side sends, one at a time, so that a
// protocol test reads like the spec ("write frames, expect frames").
//
// A Peer is either a client (Dial, DialRaw) talking to a server under test, or a server
// (Accept) talking to a client under test. It is built on golang.org/x/net/http2.Framer
// and hpack. It keeps only the state a test cannot do without:
//
//   - the HPACK encoder and decoder of the connection;
//   - the flow-control windows in both directions, so that SendData honours the windows
//     the other side granted, and so that every DATA frame read is checked against the
//     windows this peer granted (a violation fails the test);
//   - the settings the other side announced, whose SETTINGS frames it acknowledges.
//
// A Peer is used by one goroutine (the test's). A reader goroutine, owned by the Peer and
// ended by Close, copies each frame off the socket so that a read can time out.
package rawh2
