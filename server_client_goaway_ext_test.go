package actorrpc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc/internal/rawh2"
)

// TestRawServerClientGoAway: RFC 9113 §6.8 — the last stream identifier of a client's
// GOAWAY names server-initiated streams (none), so the client's open streams go on. The
// server drains: the call in flight completes, the server sends its GOAWAY and closes.
func TestRawServerClientGoAway(t *testing.T) {
	srv := startRawServer(t)
	p := rawh2.Dial(t, srv.addr)
	p.WriteHeaders(1, false, rawRequestHeaders(echoPath)...)
	p.WriteGoAway(0, http2.ErrCodeNo, "client shutting down")
	p.WriteData(1, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes([]byte("in flight")))))

	var status string
	var goAways []*rawh2.Frame
	for {
		f, err := p.ReadFrame()
		if rawh2.IsClosed(err) {
			break
		}
		require.NoError(t, err)
		switch {
		case f.Type == http2.FramePing && !f.IsAck():
			p.WritePing(true, [8]byte(f.Data))
		case f.Type == http2.FrameGoAway:
			goAways = append(goAways, f)
		case f.StreamID == 1 && f.Type == http2.FrameRSTStream:
			t.Fatalf("got %v; want the call in flight to complete", f)
		case f.StreamID == 1 && f.Type == http2.FrameHeaders && f.StreamEnded():
			status, _ = f.Header("grpc-status")
		}
	}
	assert.Equal(t, "0", status, "the call in flight completes OK")
	require.NotEmpty(t, goAways, "the server drains with GOAWAY before it closes")
	last := goAways[len(goAways)-1]
	assert.Equal(t, http2.ErrCodeNo, last.ErrCode)
	assert.Equal(t, uint32(1), last.LastStreamID, "the server processed stream 1")
}
