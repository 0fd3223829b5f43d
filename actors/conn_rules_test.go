package actors

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/net/http2/hpack"
)

func TestParseContentLength(t *testing.T) {
	cl := func(vs ...string) []hpack.HeaderField {
		fields := []hpack.HeaderField{{Name: ":method", Value: "POST"}, {Name: "content-type", Value: "application/grpc"}}
		for _, v := range vs {
			fields = append(fields, hpack.HeaderField{Name: "content-length", Value: v})
		}
		return fields
	}
	tests := []struct {
		name          string
		fields        []hpack.HeaderField
		want          int64
		wantHas       bool
		wantMalformed bool
	}{
		{name: "none", fields: cl()},
		{name: "zero", fields: cl("0"), want: 0, wantHas: true},
		{name: "a number", fields: cl("1234"), want: 1234, wantHas: true},
		{name: "leading zeros", fields: cl("007"), want: 7, wantHas: true},
		{name: "repeated, same value", fields: cl("5", "5"), want: 5, wantHas: true},
		{name: "repeated, other value", fields: cl("5", "6"), wantMalformed: true},
		{name: "empty", fields: cl(""), wantMalformed: true},
		{name: "plus sign", fields: cl("+5"), wantMalformed: true},
		{name: "negative", fields: cl("-1"), wantMalformed: true},
		{name: "list", fields: cl("5, 5"), wantMalformed: true},
		{name: "past int64", fields: cl("9223372036854775808"), wantMalformed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, has, malformed := parseContentLength(tt.fields)
			assert.Equal(t, tt.wantMalformed, malformed != "", "got malformed %q; want malformed %v", malformed, tt.wantMalformed)
			if !tt.wantMalformed {
				assert.Equal(t, tt.wantHas, has, "got has %v; want %v", has, tt.wantHas)
				assert.Equal(t, tt.want, n, "got content-length %d; want %d", n, tt.want)
			}
		})
	}
}

func TestResetRing(t *testing.T) {
	var r resetRing
	assert.False(t, r.has(0), "an empty ring has stream 0; want not")
	assert.False(t, r.has(1), "an empty ring has stream 1; want not")
	for id := uint32(1); id <= 2*uint32(len(r.ids)); id += 2 {
		r.add(id)
	}
	for id := uint32(1); id <= 2*uint32(len(r.ids)); id += 2 {
		assert.True(t, r.has(id), "ring lacks stream %d it just added", id)
	}
	r.add(1001)
	assert.False(t, r.has(1), "ring still has its oldest stream 1 after one more add; want it evicted")
	assert.True(t, r.has(1001), "ring lacks stream 1001 it just added")
	assert.True(t, r.has(3), "ring lacks stream 3; want only the oldest evicted")
}
