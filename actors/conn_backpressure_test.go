package actors

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// WriteBuffers gives up, as Write does, only once an attempt wrote nothing for the timeout;
// what the peer read counts as written, and is consumed from the buffers.
func TestWriteGuardWriteBuffers(t *testing.T) {
	tests := []struct {
		name  string
		reads int // bytes the peer reads before it stops reading; -1 reads all
	}{
		{name: "a peer that reads everything", reads: -1},
		{name: "a peer that never reads", reads: 0},
		{name: "a peer that reads 100 bytes, then stops", reads: 100},
		{name: "a peer that stops inside the second buffer", reads: 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ours, peer := net.Pipe()
				defer ours.Close()
				defer peer.Close()
				bufs := net.Buffers{bytes.Repeat([]byte{1}, 4096), bytes.Repeat([]byte{2}, 4096), []byte{3}}
				const total = 4096*2 + 1
				var got bytes.Buffer
				read := make(chan struct{})
				go func() {
					defer close(read)
					if tt.reads < 0 {
						_, _ = io.CopyN(&got, peer, total)
						return
					}
					_, _ = io.CopyN(&got, peer, int64(tt.reads))
				}()
				w := &writeGuard{nc: ours, timeout: time.Second, peer: "client"}
				n, err := w.WriteBuffers(&bufs)
				<-read
				if tt.reads < 0 {
					require.NoError(t, err)
					assert.Equal(t, int64(total), n)
					assert.Empty(t, bufs, "written buffers left in bufs")
					return
				}
				var stopped *PeerStoppedReadingError
				require.ErrorAs(t, err, &stopped)
				assert.True(t, errors.Is(err, os.ErrDeadlineExceeded))
				assert.Equal(t, int64(tt.reads), n, "written: what the peer read")
				left := 0
				for _, b := range bufs {
					left += len(b)
				}
				assert.Equal(t, total-tt.reads, left, "bytes left in bufs")
				assert.Equal(t, tt.reads, got.Len())
			})
		})
	}
}
