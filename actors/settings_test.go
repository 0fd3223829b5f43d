package actors

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
)

func TestPeerSettingsApply(t *testing.T) {
	s := func(id http2.SettingID, v uint32) http2.Setting { return http2.Setting{ID: id, Val: v} }
	tests := []struct {
		name      string
		settings  []http2.Setting
		wantDelta int64
		want      peerSettings
		wantErr   http2.ErrCode // 0: no error
	}{
		{name: "none", want: defaultPeerSettings()},
		{
			name:      "larger initial window",
			settings:  []http2.Setting{s(http2.SettingInitialWindowSize, 100000)},
			wantDelta: 100000 - 65535,
			want:      peerSettings{maxFrameSize: 16384, initialWindowSize: 100000, maxConcurrentStreams: ^uint32(0), headerTableSize: 4096, maxHeaderListSize: ^uint32(0)},
		},
		{
			name:      "smaller initial window",
			settings:  []http2.Setting{s(http2.SettingInitialWindowSize, 0)},
			wantDelta: -65535,
			want:      peerSettings{maxFrameSize: 16384, initialWindowSize: 0, maxConcurrentStreams: ^uint32(0), headerTableSize: 4096, maxHeaderListSize: ^uint32(0)},
		},
		{
			name:      "initial window twice in one frame: the deltas add up",
			settings:  []http2.Setting{s(http2.SettingInitialWindowSize, 1000), s(http2.SettingInitialWindowSize, 2000)},
			wantDelta: 2000 - 65535,
			want:      peerSettings{maxFrameSize: 16384, initialWindowSize: 2000, maxConcurrentStreams: ^uint32(0), headerTableSize: 4096, maxHeaderListSize: ^uint32(0)},
		},
		{
			name: "the other settings",
			settings: []http2.Setting{s(http2.SettingMaxFrameSize, 1<<20), s(http2.SettingMaxConcurrentStreams, 1),
				s(http2.SettingHeaderTableSize, 0), s(http2.SettingEnablePush, 0), s(http2.SettingMaxHeaderListSize, 8192), s(0x99, 7)},
			want: peerSettings{maxFrameSize: 1 << 20, initialWindowSize: 65535, maxConcurrentStreams: 1, headerTableSize: 0, maxHeaderListSize: 8192},
		},
		{
			name:     "initial window above 2^31-1",
			settings: []http2.Setting{s(http2.SettingInitialWindowSize, 1<<31)},
			wantErr:  http2.ErrCodeFlowControl,
		},
		{
			name:     "max frame size below 16384",
			settings: []http2.Setting{s(http2.SettingMaxFrameSize, 16383)},
			wantErr:  http2.ErrCodeProtocol,
		},
		{
			name:     "max frame size above 2^24-1",
			settings: []http2.Setting{s(http2.SettingMaxFrameSize, 1<<24)},
			wantErr:  http2.ErrCodeProtocol,
		},
		{
			name:     "enable push 2",
			settings: []http2.Setting{s(http2.SettingEnablePush, 2)},
			wantErr:  http2.ErrCodeProtocol,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := defaultPeerSettings()
			delta, err := p.apply(tt.settings)
			if tt.wantErr != 0 {
				var ce http2.ConnectionError
				require.True(t, errors.As(err, &ce), "got error %v; want a connection error %v", err, tt.wantErr)
				assert.Equal(t, tt.wantErr, http2.ErrCode(ce), "got %v; want %v", http2.ErrCode(ce), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantDelta, delta, "window delta = %d; want %d", delta, tt.wantDelta)
			assert.Equal(t, tt.want, p, "settings = %+v; want %+v", p, tt.want)
		})
	}
}

func TestConnConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   ConnConfig
		want ConnConfig
	}{
		{name: "zero", want: ConnConfig{InitialWindowSize: 1 << 20, InitialConnWindowSize: 16 << 20, MaxFrameSize: DefaultMaxFrameSize, MaxHeaderListSize: 16 << 10, MaxConcurrentStreams: 1000, MaxQueuedControlFrames: 10000, WriteTimeout: DefaultWriteTimeout}},
		{
			name: "connection window below the HTTP/2 initial window",
			in:   ConnConfig{InitialWindowSize: 1000, InitialConnWindowSize: 1000, MaxFrameSize: 1 << 20, MaxHeaderListSize: 100},
			want: ConnConfig{InitialWindowSize: 1000, InitialConnWindowSize: 65535, MaxFrameSize: 1 << 20, MaxHeaderListSize: 100, MaxConcurrentStreams: 1000, MaxQueuedControlFrames: 10000, WriteTimeout: DefaultWriteTimeout},
		},
		{
			name: "max frame size out of range",
			in:   ConnConfig{MaxFrameSize: 1 << 24},
			want: ConnConfig{InitialWindowSize: 1 << 20, InitialConnWindowSize: 16 << 20, MaxFrameSize: DefaultMaxFrameSize, MaxHeaderListSize: 16 << 10, MaxConcurrentStreams: 1000, MaxQueuedControlFrames: 10000, WriteTimeout: DefaultWriteTimeout},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.withDefaults()
			assert.Equal(t, tt.want, got, "withDefaults(%+v) = %+v; want %+v", tt.in, got, tt.want)
		})
	}
}
