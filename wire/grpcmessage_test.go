package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGrpcMessage(t *testing.T) {
	tests := []struct{ raw, enc string }{
		{"", ""},
		{"plain text ~!", "plain text ~!"},
		{"100%", "100%25"},
		{"a\nb", "a%0Ab"},
		{"ü", "%C3%BC"},
		{"\x00\x7f\xff", "%00%7F%FF"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.enc, EncodeGrpcMessage(tt.raw), "encode %q", tt.raw)
		assert.Equal(t, tt.raw, DecodeGrpcMessage(tt.enc), "decode %q", tt.enc)
	}
}

func TestDecodeGrpcMessageLenient(t *testing.T) {
	tests := map[string]string{
		"%":       "%",
		"%4":      "%4",
		"%zz":     "%zz",
		"%c3%bc":  "ü",
		"50%":     "50%",
		"%%41":    "%A",
		"a%4g%41": "a%4gA",
	}
	for in, want := range tests {
		assert.Equal(t, want, DecodeGrpcMessage(in), "DecodeGrpcMessage(%q)", in)
	}
}
