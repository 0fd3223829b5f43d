package callctx

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorrpc/actorrpc/wire"
)

type baseKey struct{}

// sentHeaders is a HeaderSender that records what it is given.
type sentHeaders struct{ md []wire.Metadata }

func (s *sentHeaders) SendHeader(md wire.Metadata, _ string) { s.md = append(s.md, md) }

func TestHandler(t *testing.T) {
	base := context.WithValue(context.Background(), baseKey{}, "base")
	deadline := time.Now().Add(time.Hour)
	h := NewHandler(base, deadline, true)
	assert.Nil(t, ServerCallFrom(h), "no ServerCall before InitCall")
	sent := &sentHeaders{}
	sc := h.InitCall("/s/M", wire.Metadata{"k": {"v"}}, "gzip", "", sent)
	require.Same(t, sc, ServerCallFrom(h))
	assert.Equal(t, "/s/M", sc.Method)
	require.NoError(t, sc.SendHeader(wire.Metadata{"h": {"1"}}))
	assert.Equal(t, []wire.Metadata{{"h": {"1"}}}, sent.md)
	assert.Equal(t, "base", h.Value(baseKey{}))
	d, ok := h.Deadline()
	assert.True(t, ok)
	assert.Equal(t, deadline, d)

	require.NoError(t, h.Err())
	h.Expire()
	<-h.Done()
	assert.ErrorIs(t, h.Err(), context.DeadlineExceeded)

	h = NewHandler(base, time.Time{}, false)
	h.Cancel()
	<-h.Done()
	assert.ErrorIs(t, h.Err(), context.Canceled)
}
