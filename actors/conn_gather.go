package actors

import "net"

// Large DATA payloads skip the write buffer. When one drain of a stream may write
// gatherMin bytes or more (two 16 KiB frames), its DATA frames are gathered, headers in a
// buffer of their own and payloads as they are, and go to the socket in one writev
// (net.Buffers) after what the write buffer holds. A 1 MiB response to a peer that takes
// 16 KiB frames is then two write syscalls and no copy, instead of one syscall per 32 KiB
// and a copy of every payload into the buffer. The payloads are written before drain
// returns, so a buffer given back once written (WriteStream.ReleaseData,
// OpenStream.ReportWritten) is given back only after that.
const gatherMin = 32 << 10

// gatheredFrames are the DATA frames of one drain, waiting for flushGathered.
type gatheredFrames struct {
	on       bool
	headers  []byte   // frameHeaderLen bytes per frame
	payloads [][]byte // one per frame
	iov      net.Buffers
}

// gatherable reports whether the next drain of s writes enough to gather its frames, in
// frames smaller than the write buffer. A larger payload skips most of the copy anyway
// (bufio.Writer writes it directly once the buffer is flushed), and gathering measured
// slower there: 0.92–0.96× the calls per second, 1 MiB unary between actorrpc peers.
func (c *conn) gatherable(s *stream) bool {
	return c.peer.maxFrameSize < writeBufferSize && min(c.sendConn, s.sendWindow) >= gatherMin &&
		s.pendingBytes() >= gatherMin
}

// writeData writes one DATA frame: into the write buffer, or among the gathered frames.
func (c *conn) writeData(id uint32, endStream bool, data []byte) error {
	g := &c.gather
	if !g.on {
		return writeDataFrame(c.bw, id, endStream, data)
	}
	g.headers = appendDataHeader(g.headers, id, endStream, len(data))
	g.payloads = append(g.payloads, data)
	return nil
}

// flushGathered writes the gathered frames, after what the write buffer holds, and ends
// gathering.
func (c *conn) flushGathered() {
	g := &c.gather
	if !g.on {
		return
	}
	g.on = false
	if len(g.payloads) == 0 {
		return
	}
	iov := g.iov[:0]
	for i, p := range g.payloads {
		iov = append(iov, g.headers[i*frameHeaderLen:(i+1)*frameHeaderLen], p)
	}
	base := iov
	if c.closeErr == nil {
		c.check(c.bw.Flush())
	}
	if c.closeErr == nil {
		_, err := c.sock.WriteBuffers(&iov)
		c.check(err)
	}
	clear(base)
	clear(g.payloads)
	g.iov, g.payloads, g.headers = base[:0], g.payloads[:0], g.headers[:0]
}
