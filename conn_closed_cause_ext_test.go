package actorrpc_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/internal/rawh2"
)

// TestServerClosingTheConnectionIsNamed: a call in flight when the server closes the
// connection ends UNAVAILABLE with a message that names who closed it, not a bare EOF or
// "transport is closing".
func TestServerClosingTheConnectionIsNamed(t *testing.T) {
	bubble(t, func(t *testing.T) {
		_, lis, ch, done := rawServerNet(t)
		defer done()
		errc := make(chan error, 1)
		go func() { errc <- hello(context.Background(), ch) }()
		p := rawh2.Accept(t, lis)
		p.Timeout = time.Hour
		for {
			f, err := p.ReadFrame()
			require.NoError(t, err)
			if f.Type == http2.FrameData && f.StreamEnded() {
				break // the whole request arrived; the server goes away without a word
			}
		}
		p.Close()
		err := <-errc
		st := actorrpc.StatusOf(err)
		assert.Equal(t, actorrpc.Unavailable, st.Code(), "got %v; want UNAVAILABLE", err)
		assert.Equal(t, "connection closed: server closed the connection (EOF)", st.Message())
	})
}
