package actors

import (
	"bufio"
	"errors"
	"io"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
)

// TestAwaitLargePayload: a frame larger than dataChunkSize gets its buffer only once its
// payload has begun to arrive (as much as the reader buffers, or all of it); a smaller
// one at once.
func TestAwaitLargePayload(t *testing.T) {
	tests := []struct {
		name     string
		frameLen uint32
		sent     []int // bytes written, in steps
		doneAt   int   // the step after which it returns (-1: before any byte)
		wantErr  bool  // the peer closes after the steps
	}{
		{"16 KiB: at once", dataChunkSize, []int{100}, -1, false},
		{"1 MiB: waits for 32 KiB", 1 << 20, []int{1 << 10, 16 << 10, 16 << 10}, 2, false},
		{"20 KiB: waits for all of it", 20 << 10, []int{10 << 10, 10 << 10}, 1, false},
		{"1 MiB, peer closes", 1 << 20, []int{1 << 10}, -2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				pr, pw := io.Pipe()
				br := bufio.NewReaderSize(pr, 32<<10)
				done := make(chan error, 1)
				go func() { done <- awaitLargePayload(br, tt.frameLen) }()
				returned := func() bool {
					synctest.Wait()
					select {
					case err := <-done:
						done <- err
						return true
					default:
						return false
					}
				}
				assert.Equal(t, tt.doneAt == -1, returned(), "before any byte")
				for i, n := range tt.sent {
					go func() { _, _ = pw.Write(make([]byte, n)) }()
					synctest.Wait()
					if tt.doneAt >= 0 {
						assert.Equal(t, i >= tt.doneAt, returned(), "after step %d", i)
					}
				}
				if tt.wantErr {
					_ = pw.CloseWithError(io.ErrUnexpectedEOF)
				}
				if tt.doneAt >= 0 || tt.wantErr {
					err := <-done
					assert.Equal(t, tt.wantErr, errors.Is(err, io.ErrUnexpectedEOF), "error %v", err)
				}
				_ = pw.Close()
				_ = pr.Close()
			})
		})
	}
}
