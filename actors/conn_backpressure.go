package actors

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"
)

// A peer that never reads. The connection actor writes in Receive: once the peer stops
// reading and the socket's send buffer is full, a write blocks the actor. Two things keep
// that from lasting or costing memory without bound:
//
//   - writeGuard puts a deadline on every write to the socket: a write that makes no
//     progress for ConnConfig.WriteTimeout fails, and the connection closes with the cause
//     ("client stopped reading: no byte written for 30s"). As x/net's
//     Server.WriteByteTimeout, a slow reader that makes progress is fine.
//   - readBudget bounds what the reader goroutine posts to the actor and the actor has not
//     handled yet. While the actor is blocked, the reader stops reading once the budget is
//     spent, so the peer's frames wait in its own send buffer, not in our mailbox. DATA is
//     bounded by the connection window we granted (a peer within flow control never meets
//     the bound); other frames by a count that a peer within our limits never reaches:
//     the PING and SETTINGS that may wait for an answer, plus a few frames per stream.

// DefaultWriteTimeout is how long a write to the socket may make no progress before the
// connection is closed as stuck: the peer stopped reading.
const DefaultWriteTimeout = 30 * time.Second

// goodbyeWriteTimeout bounds the last flush (GOAWAY) of a connection that is stopping.
const goodbyeWriteTimeout = time.Second

// framesPerStream is how many frames other than DATA a stream may legitimately have in
// flight to us at once (HEADERS, trailers, RST_STREAM, WINDOW_UPDATE).
const framesPerStream = 4

// writeGuard is the socket as the connection's write buffer sees it. Only the connection
// actor writes through it (from Receive).
type writeGuard struct {
	nc      net.Conn
	timeout time.Duration // no deadline when <= 0
	peer    string        // "client" or "server": the side that stopped reading
}

// Write writes b, each attempt with a deadline; an attempt that wrote something before
// its deadline lets the next one start a new deadline.
func (w *writeGuard) Write(b []byte) (int, error) {
	if w.timeout <= 0 {
		return w.nc.Write(b)
	}
	written := 0
	for {
		_ = w.nc.SetWriteDeadline(time.Now().Add(w.timeout))
		n, err := w.nc.Write(b[written:])
		written += n
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return written, err
		}
		if n == 0 {
			return written, &PeerStoppedReadingError{Peer: w.peer, Timeout: w.timeout}
		}
	}
}

// WriteBuffers writes bufs as Write writes one buffer (each attempt with a deadline), with
// writev on a TCP socket. It consumes what it wrote from bufs.
func (w *writeGuard) WriteBuffers(bufs *net.Buffers) (int64, error) {
	if w.timeout <= 0 {
		return bufs.WriteTo(w.nc)
	}
	var written int64
	for {
		_ = w.nc.SetWriteDeadline(time.Now().Add(w.timeout))
		n, err := bufs.WriteTo(w.nc)
		written += n
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return written, err
		}
		if n == 0 {
			return written, &PeerStoppedReadingError{Peer: w.peer, Timeout: w.timeout}
		}
	}
}

// PeerStoppedReadingError is the cause of a connection closed because a write to the
// socket made no progress for the write timeout.
type PeerStoppedReadingError struct {
	Peer    string
	Timeout time.Duration
}

func (e *PeerStoppedReadingError) Error() string {
	return fmt.Sprintf("%s stopped reading: no byte written for %v", e.Peer, e.Timeout)
}

// Unwrap makes the error an os.ErrDeadlineExceeded too.
func (e *PeerStoppedReadingError) Unwrap() error { return os.ErrDeadlineExceeded }

// readBudget bounds the frames the reader goroutine has posted and the connection actor
// has not handled yet. The reader takes from it before posting a frame and waits while it
// is spent; the actor gives back as it handles each frame. Like controlQueue, it is a pair
// of counters two goroutines share; it carries no state of the connection.
type readBudget struct {
	maxFrames int64 // frames other than DATA
	maxData   int64 // DATA payload bytes (padding included, as flow control counts)
	frames    atomic.Int64
	data      atomic.Int64
	wake      chan struct{} // the actor gave back (capacity 1)
	quit      chan struct{} // closed as the actor stops: the reader stops waiting
}

func newReadBudget(cfg ConnConfig) *readBudget {
	return &readBudget{
		maxFrames: int64(cfg.MaxQueuedControlFrames) + framesPerStream*int64(cfg.MaxConcurrentStreams) + 1024,
		maxData:   int64(cfg.InitialConnWindowSize),
		wake:      make(chan struct{}, 1),
		quit:      make(chan struct{}),
	}
}

func (b *readBudget) spent(f *frameMsg) bool {
	if f.typ == http2.FrameData {
		d := b.data.Load()
		return d > 0 && d+int64(f.length) > b.maxData
	}
	return b.frames.Load() >= b.maxFrames
}

// take waits until f fits in the budget and takes it; false means the actor stopped.
func (b *readBudget) take(f *frameMsg) bool {
	for b.spent(f) {
		select {
		case <-b.wake:
		case <-b.quit:
			return false
		}
	}
	if f.typ == http2.FrameData {
		b.data.Add(int64(f.length))
	} else {
		b.frames.Add(1)
	}
	return true
}

// give returns f's share once the actor has handled it.
func (b *readBudget) give(f *frameMsg) {
	if f.typ == http2.FrameData {
		b.data.Add(-int64(f.length))
	} else {
		b.frames.Add(-1)
	}
	select {
	case b.wake <- struct{}{}:
	default:
	}
}
