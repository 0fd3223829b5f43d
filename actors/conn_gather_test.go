package actors

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
)

// Large data goes out with writev, small data through the write buffer: either way the
// peer reads the HEADERS first, then every byte in order, in frames no larger than its
// SETTINGS_MAX_FRAME_SIZE (16 KiB here), END_STREAM on the last; and a window smaller than
// the data stops the frames exactly at its edge.
func TestConnGathersLargeData(t *testing.T) {
	tests := []struct {
		name   string
		size   int
		window uint32 // the stream's send window the server grants (and the connection's)
	}{
		{name: "below gatherMin: buffered", size: gatherMin - 1, window: 4 << 20},
		{name: "gatherMin: gathered", size: gatherMin, window: 4 << 20},
		{name: "1 MiB and a prefix: gathered", size: 1<<20 + 5, window: 4 << 20},
		{name: "gathered up to the window, the rest after WINDOW_UPDATE", size: 300 << 10, window: 100 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, http2.Setting{ID: http2.SettingInitialWindowSize, Val: tt.window})
			c.server.WriteWindowUpdate(0, 8<<20)
			data := make([]byte, tt.size)
			for i := range data {
				data[i] = byte(i * 7)
			}
			c.open(&OpenStream{Headers: requestFields("/s/m"), Data: data, EndStream: true})
			expect[*StreamOpened](t, c.msgs)
			c.server.ReadHeaders(1)

			var got []byte
			granted := int(tt.window)
			for len(got) < len(data) {
				if len(got) == granted {
					c.server.WriteWindowUpdate(1, uint32(len(data)))
					granted += len(data)
				}
				f := nextStreamFrame(t, c.server)
				require.Equal(t, http2.FrameData, f.Type, "got %v; want DATA", f)
				require.LessOrEqual(t, len(f.Data), 16384, "a DATA frame larger than the peer's SETTINGS_MAX_FRAME_SIZE")
				got = append(got, f.Data...)
				require.LessOrEqual(t, len(got), granted, "DATA beyond the window")
				require.Equal(t, len(got) == len(data), f.StreamEnded(), "END_STREAM=%v after %d of %d bytes", f.StreamEnded(), len(got), len(data))
			}
			assert.Equal(t, data, got, "got different bytes; want the data sent")
		})
	}
}
