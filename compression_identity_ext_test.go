package actorrpc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/rawh2"
)

// TestServerCompressesOnlyForClientsThatAcceptIt: a server configured for gzip answers a
// client that announces no grpc-accept-encoding with identity (no grpc-encoding, flag 0),
// and one that accepts gzip with gzip.
func TestServerCompressesOnlyForClientsThatAcceptIt(t *testing.T) {
	tests := []struct {
		name     string
		accept   []hpack.HeaderField
		wantGzip bool
	}{
		{name: "no grpc-accept-encoding", wantGzip: false},
		{name: "accepts identity only", accept: []hpack.HeaderField{{Name: "grpc-accept-encoding", Value: "identity"}}, wantGzip: false},
		{name: "accepts gzip", accept: []hpack.HeaderField{{Name: "grpc-accept-encoding", Value: "identity,gzip"}}, wantGzip: true},
	}
	srv := startRawServer(t, actorrpc.WithCompressor("gzip"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawh2.Dial(t, srv.addr)
			defer p.Close()
			p.WriteHeaders(1, false, rawRequestHeaders(echoPath, tt.accept...)...)
			p.WriteData(1, true, rawMsg(0, mustMarshal(t, wrapperspb.Bytes(make([]byte, 1000)))))
			s := p.ReadUntilStreamEnd(1)
			requireRawStatus(t, s, "0")
			enc, _ := rawh2.Field(s.Headers, "grpc-encoding")
			require.GreaterOrEqual(t, len(s.Data), 5)
			if tt.wantGzip {
				assert.Equal(t, "gzip", enc)
				assert.Equal(t, byte(1), s.Data[0], "the response message is compressed")
			} else {
				assert.Empty(t, enc, "no grpc-encoding for a client that does not accept gzip")
				assert.Equal(t, byte(0), s.Data[0], "the response message is not compressed")
			}
		})
	}
}
