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

func TestHandler(t *testing.T) {
	base := context.WithValue(context.Background(), baseKey{}, "base")
	deadline := time.Now().Add(time.Hour)
	h := NewHandler(base, deadline, true)
	assert.Nil(t, ServerCallFrom(h), "no ServerCall before InitCall")
	sc := h.InitCall("/s/M", wire.Metadata{"k": {"v"}}, "gzip", "", func(wire.Metadata, string) {})
	require.Same(t, sc, ServerCallFrom(h))
	assert.Equal(t, "/s/M", sc.Method)
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
