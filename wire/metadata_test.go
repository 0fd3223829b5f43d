package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2/hpack"
)

func TestValidateMetadataKey(t *testing.T) {
	for _, k := range []string{"a", "x-user-id", "a.b_c-0", "trace-bin"} {
		assert.NoError(t, ValidateMetadataKey(k), k)
	}
	for _, k := range []string{"", "Upper", ":path", "sp ace", "ü", "a/b"} {
		err := ValidateMetadataKey(k)
		require.Error(t, err, "key %q", k)
		if k != "" {
			assert.Contains(t, err.Error(), k, "error must name the key")
		}
	}
}

func TestValidateMetadataValue(t *testing.T) {
	assert.NoError(t, ValidateMetadataValue("k", " printable ~"))
	assert.NoError(t, ValidateMetadataValue("k", ""))
	assert.NoError(t, ValidateMetadataValue("k-bin", "\x00\xff\n"))
	for _, v := range []string{"a\nb", "\x7f", "ü", "\t"} {
		assert.Error(t, ValidateMetadataValue("k", v), "value %q", v)
	}
}

func TestIsReservedHeader(t *testing.T) {
	reserved := []string{":path", ":authority", ":status", "content-type", "user-agent", "te",
		"grpc-message-type", "grpc-encoding", "grpc-accept-encoding", "grpc-message", "grpc-status",
		"grpc-timeout", "grpc-status-details-bin", "connection", "keep-alive", "proxy-connection",
		"transfer-encoding", "upgrade", "host"}
	for _, k := range reserved {
		assert.True(t, IsReservedHeader(k), k)
	}
	for _, k := range []string{"grpc-previous-rpc-attempts", "grpc-retry-pushback-ms", "authorization", "x-bin", ""} {
		assert.False(t, IsReservedHeader(k), k)
	}
	assert.True(t, IsBinaryKey("a-bin"))
	assert.False(t, IsBinaryKey("a-bin-no"))
}

func TestBinaryValue(t *testing.T) {
	tests := []struct{ raw, enc string }{
		{"", ""}, {"a", "YQ"}, {"ab", "YWI"}, {"abc", "YWJj"}, {"\x00\xff\xfe", "AP/+"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.enc, EncodeBinaryValue(tt.raw))
		got, err := DecodeBinaryValue(tt.enc)
		require.NoError(t, err)
		assert.Equal(t, tt.raw, got)
	}
	got, err := DecodeBinaryValue("YQ==")
	require.NoError(t, err)
	assert.Equal(t, "a", got, "padded input")
	for _, bad := range []string{"Y", "YQ=", "!!!!", "YQ=a"} {
		_, err := DecodeBinaryValue(bad)
		assert.Error(t, err, "input %q", bad)
	}
}

func TestAppendMetadata(t *testing.T) {
	md := Metadata{
		"b":          {"1", "2"},
		"a-bin":      {"\x00\x01"},
		"user-agent": {"ignored"},
		":path":      {"/ignored"},
		"te":         {"ignored"},
	}
	got, err := AppendMetadata([]hpack.HeaderField{{Name: "x", Value: "y"}}, md)
	require.NoError(t, err)
	assert.Equal(t, []hpack.HeaderField{
		{Name: "x", Value: "y"},
		{Name: "a-bin", Value: "AAE"},
		{Name: "b", Value: "1"},
		{Name: "b", Value: "2"},
	}, got)

	for _, bad := range []Metadata{{"Bad": {"v"}}, {"k": {"a\r\nb"}}, {"": {"v"}}} {
		dst := []hpack.HeaderField{{Name: "x"}}
		got, err := AppendMetadata(dst, bad)
		assert.Error(t, err, "%v", bad)
		assert.Len(t, got, 1, "nothing appended on error")
	}
}

func TestMetadataAddBinaryCommaSeparated(t *testing.T) {
	md := Metadata{}
	require.NoError(t, md.add("k-bin", "YQ, YWI=,YWJj"))
	assert.Equal(t, []string{"a", "ab", "abc"}, md["k-bin"])
	err := md.add("k-bin", "YQ,!")
	require.Error(t, err)
	assert.Equal(t, Internal, CodeOf(err))
}
