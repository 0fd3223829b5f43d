package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/net/http2/hpack"
)

// stream is one HTTP/2 stream as its connection actor sees it.
type stream struct {
	id    uint32
	owner *actor.PID

	sendWindow int64 // what the peer lets us send on this stream
	recv       flowIn

	// Outgoing data waiting for flow-control credit, then trailers / END_STREAM. chunks
	// starts in chunk0: a unary call queues one chunk, and the slice costs no allocation.
	chunks      [][]byte
	chunk0      [1][]byte
	trailers    []hpack.HeaderField
	endPending  bool // END_STREAM to send once chunks drain
	localClosed bool // END_STREAM (or trailers) sent
	remoteEnded bool // END_STREAM received
	inBlocked   bool // listed in conn.blocked
	manualFlow  bool // receive window refilled by ConsumeData; DataSent reported
	refused     bool // server role: answered by the connection itself (answerRefused)
	counted     bool // server role: the request declared a content-length (conn.contentLengths)
	releases    bool // listed in conn.releases
	// reportWritten asks for RequestWritten once chunks are written (OpenStream.ReportWritten).
	reportWritten bool
}

func (s *stream) pendingBytes() int {
	n := 0
	for _, c := range s.chunks {
		n += len(c)
	}
	return n
}
