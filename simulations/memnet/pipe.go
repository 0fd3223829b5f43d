package memnet

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// segment is one write in flight: its bytes, or the writer's close (fin).
type segment struct {
	data []byte
	fin  bool
	at   time.Time // when it may be delivered
}

// pipe is one direction of a connection: bytes in flight, then bytes readable.
//
// Lock order: pipe.mu before Network.mu, never the other way round.
type pipe struct {
	net  *Network
	link *link
	dir  Direction

	// mu guards everything below; cond wakes readers and writers.
	mu        sync.Mutex
	cond      *sync.Cond
	seed      uint64 // this direction's jitter seed
	capacity  int
	inflight  []segment
	readable  []byte
	buffered  int   // bytes in flight plus readable
	eof       bool  // the writer's close has been delivered
	err       error // the connection was reset
	rClosed   bool  // the reading end closed
	wClosed   bool  // the writing end closed
	timer     *time.Timer
	lastAt    time.Time // the delivery time of the last segment (order is kept)
	linkFree  time.Time // when a bandwidth-limited link has sent everything written so far
	rDeadline deadline
	wDeadline deadline
}

func newPipe(n *Network, l *link, dir Direction, seed uint64) *pipe {
	p := &pipe{net: n, link: l, dir: dir, seed: seed, capacity: DefaultBuffer}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// write queues b for delivery. It blocks while the direction's buffer is full.
func (p *pipe) write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		switch {
		case p.wClosed:
			return 0, opError("write", net.ErrClosed)
		case p.err != nil:
			return 0, opError("write", p.err)
		case p.rClosed:
			return 0, opError("write", syscall.EPIPE)
		case p.wDeadline.passed():
			return 0, opError("write", os.ErrDeadlineExceeded)
		}
		f, _ := p.net.state(p.link, p.dir)
		if f.Drop {
			return len(b), nil // half-open: the bytes vanish, the writer never knows
		}
		if p.buffered == 0 || p.buffered+len(b) <= p.capacity {
			p.enqueue(segment{data: append([]byte(nil), b...)}, f)
			p.buffered += len(b)
			return len(b), nil
		}
		p.cond.Wait()
	}
}

// closeWrite is the writer's close: the peer reads EOF after the bytes in flight.
func (p *pipe) closeWrite() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.wClosed {
		return
	}
	p.wClosed = true
	p.cond.Broadcast()
	if f, _ := p.net.state(p.link, p.dir); !f.Drop && p.err == nil {
		p.enqueue(segment{fin: true}, f)
	}
}

// enqueue gives s its delivery time and schedules delivery. Call with mu held.
func (p *pipe) enqueue(s segment, f Faults) {
	now := time.Now()
	sent := now
	if f.Bandwidth > 0 {
		start := now
		if p.linkFree.After(start) {
			start = p.linkFree
		}
		sent = start.Add(time.Duration(int64(len(s.data)) * int64(time.Second) / f.Bandwidth))
		p.linkFree = sent
	}
	s.at = sent.Add(f.Latency + p.jitter(now, f.Jitter))
	if s.at.Before(p.lastAt) {
		s.at = p.lastAt // only after the latency was lowered: bytes never overtake
	}
	p.lastAt = s.at
	p.inflight = append(p.inflight, s)
	p.scheduleLocked(now)
}

// jitterEpoch is how long one jitter draw lasts.
const jitterEpoch = time.Millisecond

// jitter is the extra delay of a write made at now: the draw J(k) of now's epoch k, but
// never so little that the write would arrive before one made in epoch k-1. The arrival
// time, now + jitter, is then a non-decreasing function of the write's time alone
// (max(now+J(k), start(k)+J(k-1))): it depends neither on how the writer batched its bytes
// nor on which other writes it made, so bytes never overtake and a run's arrival times do
// not change when the scheduler adds or merges writes.
func (p *pipe) jitter(now time.Time, max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	k := now.UnixNano() / int64(jitterEpoch)
	start := time.Unix(0, k*int64(jitterEpoch))
	floor := start.Add(p.draw(k-1, max)).Sub(now)
	return maxDuration(p.draw(k, max), floor)
}

// draw is epoch k's jitter in [0, max]: a hash of the direction's seed and k.
func (p *pipe) draw(k int64, max time.Duration) time.Duration {
	return time.Duration(splitmix64(p.seed^uint64(k)*0x9e3779b97f4a7c15) % uint64(max+1))
}

// splitmix64 is SplitMix64's mixing function.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func maxDuration(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}

// pump delivers the segments whose time has come, unless the direction is stalled.
func (p *pipe) pump() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.scheduleLocked(time.Now())
}

// scheduleLocked delivers what is due and arms the timer for the rest. Call with mu held.
func (p *pipe) scheduleLocked(now time.Time) {
	if p.err != nil || p.rClosed || len(p.inflight) == 0 {
		return
	}
	if _, stalled := p.net.state(p.link, p.dir); stalled {
		return // held; Heal or SetFaults pumps again
	}
	delivered := 0
	for _, s := range p.inflight {
		if s.at.After(now) {
			break
		}
		p.readable = append(p.readable, s.data...)
		p.eof = p.eof || s.fin
		delivered++
	}
	if delivered > 0 {
		p.inflight = append(p.inflight[:0], p.inflight[delivered:]...)
		p.cond.Broadcast()
	}
	if len(p.inflight) > 0 {
		p.armTimer(p.inflight[0].at.Sub(now))
	}
}

func (p *pipe) armTimer(d time.Duration) {
	if p.timer == nil {
		p.timer = time.AfterFunc(d, p.pump)
		return
	}
	p.timer.Reset(d)
}

// read reads delivered bytes, blocking until there are some or the pipe ends.
func (p *pipe) read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		switch {
		case p.rClosed:
			return 0, opError("read", net.ErrClosed)
		case len(p.readable) > 0:
			n := copy(b, p.readable)
			p.readable = p.readable[n:]
			p.buffered -= n
			p.cond.Broadcast()
			return n, nil
		case p.err != nil:
			return 0, opError("read", p.err)
		case p.eof:
			return 0, io.EOF
		case p.rDeadline.passed():
			return 0, opError("read", os.ErrDeadlineExceeded)
		}
		p.cond.Wait()
	}
}

// closeRead is the reader's close: what is unread is dropped; the writer gets EPIPE.
func (p *pipe) closeRead() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rClosed = true
	p.dropLocked()
}

// reset fails both ends with ECONNRESET and drops the bytes in flight.
func (p *pipe) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = syscall.ECONNRESET
	}
	p.dropLocked()
}

func (p *pipe) dropLocked() {
	p.inflight, p.readable, p.buffered = nil, nil, 0
	if p.timer != nil {
		p.timer.Stop()
	}
	p.rDeadline.stop()
	p.wDeadline.stop()
	p.cond.Broadcast()
}

// setDeadline sets the read or write deadline; a timer wakes the waiters when it passes.
func (p *pipe) setDeadline(d *deadline, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d.set(t, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.cond.Broadcast()
	})
	p.cond.Broadcast()
}

// deadline is a read or write deadline; guarded by its pipe's mu.
type deadline struct {
	at    time.Time
	timer *time.Timer
}

func (d *deadline) set(t time.Time, wake func()) {
	d.stop()
	d.at = t
	if !t.IsZero() {
		d.timer = time.AfterFunc(time.Until(t), wake)
	}
}

func (d *deadline) stop() {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

func (d *deadline) passed() bool { return !d.at.IsZero() && !time.Now().Before(d.at) }

func opError(op string, err error) error {
	if err == io.EOF {
		return err
	}
	return &net.OpError{Op: op, Net: "mem", Err: err}
}
