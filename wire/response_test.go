package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func TestAppendResponseHeaders(t *testing.T) {
	got, err := AppendResponseHeaders(nil, &ResponseHeaders{ContentSubtype: "proto", Encoding: "gzip",
		AcceptEncoding: "gzip", Metadata: Metadata{"a": {"1"}, "grpc-status": {"0"}}})
	require.NoError(t, err)
	assert.Equal(t, hf(":status", "200", "content-type", "application/grpc+proto", "grpc-encoding", "gzip",
		"grpc-accept-encoding", "gzip", "a", "1"), got)

	got, err = AppendResponseHeaders(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, hf(":status", "200", "content-type", "application/grpc"), got)
}

func TestAppendTrailers(t *testing.T) {
	got, err := AppendTrailers(nil, &Trailers{})
	require.NoError(t, err)
	assert.Equal(t, hf("grpc-status", "0"), got)

	got, err = AppendTrailers(nil, &Trailers{Status: NewStatus(NotFound, "no 100%"), Metadata: Metadata{"t": {"v"}}})
	require.NoError(t, err)
	assert.Equal(t, hf("grpc-status", "5", "grpc-message", "no 100%25", "t", "v"), got)

	st, err := NewStatus(InvalidArgument, "bad").WithDetails(wrapperspb.String("d"))
	require.NoError(t, err)
	got, err = AppendTrailers(nil, &Trailers{Status: st})
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, "grpc-status-details-bin", got[2].Name)
	assert.NotContains(t, got[2].Value, "=", "binary values are sent unpadded")

	got, err = AppendTrailersOnly(nil, &ResponseHeaders{Metadata: Metadata{"h": {"1"}}}, &Trailers{Status: NewStatus(Unavailable, "")})
	require.NoError(t, err)
	assert.Equal(t, hf(":status", "200", "content-type", "application/grpc", "grpc-status", "14", "h", "1"), got)
}

func TestTrailersRoundTrip(t *testing.T) {
	st, err := NewStatus(InvalidArgument, "bad ü\n").WithDetails(wrapperspb.String("d"))
	require.NoError(t, err)
	tr := &Trailers{Status: st, Metadata: Metadata{"t": {"v"}, "t-bin": {"\xff"}}}
	fields, err := AppendTrailers(nil, tr)
	require.NoError(t, err)
	got, err := ParseTrailers(fields)
	require.NoError(t, err)
	assertSameStatus(t, st, got.Status)
	assert.Equal(t, tr.Metadata, got.Metadata)

	// Trailers-Only.
	fields, err = AppendTrailersOnly(nil, &ResponseHeaders{ContentSubtype: "proto"}, tr)
	require.NoError(t, err)
	h, got, err := ParseResponseHeaders(fields, true)
	require.NoError(t, err)
	require.NotNil(t, got)
	require.NotNil(t, h)
	assert.Equal(t, "proto", h.ContentSubtype)
	assertSameStatus(t, st, got.Status)
	assert.Equal(t, tr.Metadata, got.Metadata)
}

func TestParseTrailers(t *testing.T) {
	details := func(s *Status) string {
		b, err := MarshalStatusProto(s)
		require.NoError(t, err)
		return EncodeBinaryValue(string(b))
	}
	withDetail, err := NewStatus(NotFound, "from details").WithDetails(wrapperspb.String("d"))
	require.NoError(t, err)

	tests := []struct {
		name    string
		fields  []hpack.HeaderField
		code    Code
		message string
		nDetail int
	}{
		{"ok", hf("grpc-status", "0"), OK, "", 0},
		{"message", hf("grpc-status", "3", "grpc-message", "a%20b"), InvalidArgument, "a b", 0},
		{"missing status", hf("x", "y"), Unknown, "server closed the stream without sending grpc-status", 0},
		{"details", hf("grpc-status", "5", "grpc-status-details-bin", details(withDetail)), NotFound, "from details", 1},
		{"details padded", hf("grpc-status", "5", "grpc-message", "hdr", "grpc-status-details-bin", details(withDetail)+"="), NotFound, "hdr", 1},
		{"details code mismatch", hf("grpc-status", "13", "grpc-status-details-bin", details(withDetail)), Internal, "from details", 1},
		{"details but OK", hf("grpc-status", "0", "grpc-status-details-bin", details(withDetail)), OK, "from details", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "details padded" && len(tt.fields[2].Value)%4 != 0 {
				t.Skip("encoding needs no padding")
			}
			got, err := ParseTrailers(tt.fields)
			require.NoError(t, err)
			assert.Equal(t, tt.code, got.Status.Code(), "got %v; want %v", got.Status.Code(), tt.code)
			assert.Equal(t, tt.message, got.Status.Message())
			assert.Len(t, got.Status.Details(), tt.nDetail)
		})
	}

	for name, fields := range map[string][]hpack.HeaderField{
		"pseudo":      hf(":status", "200", "grpc-status", "0"),
		"bad status":  hf("grpc-status", "x"),
		"neg status":  hf("grpc-status", "-1"),
		"bad details": hf("grpc-status", "2", "grpc-status-details-bin", "!!"),
		"bad proto":   hf("grpc-status", "2", "grpc-status-details-bin", EncodeBinaryValue("\x08")),
		"bad bin md":  hf("grpc-status", "0", "x-bin", "!"),
		"uppercase":   hf("grpc-status", "0", "X", "1"),
	} {
		_, err := ParseTrailers(fields)
		require.Error(t, err, name)
		assert.Equal(t, Internal, CodeOf(err), name)
	}
}

func TestParseResponseHeaders(t *testing.T) {
	fields, err := AppendResponseHeaders(nil, &ResponseHeaders{ContentSubtype: "proto", Encoding: "gzip",
		AcceptEncoding: "gzip", Metadata: Metadata{"a": {"1"}, "b-bin": {"\x00"}}})
	require.NoError(t, err)
	h, tr, err := ParseResponseHeaders(fields, false)
	require.NoError(t, err)
	assert.Nil(t, tr)
	assert.Equal(t, &ResponseHeaders{ContentSubtype: "proto", Encoding: "gzip", AcceptEncoding: "gzip",
		Metadata: Metadata{"a": {"1"}, "b-bin": {"\x00"}}}, h)

	// Informational headers.
	h, tr, err = ParseResponseHeaders(hf(":status", "100"), false)
	assert.NoError(t, err)
	assert.Nil(t, h)
	assert.Nil(t, tr)
	_, _, err = ParseResponseHeaders(hf(":status", "103"), true)
	assert.Equal(t, Internal, CodeOf(err))
}

func TestParseResponseHeadersEnds(t *testing.T) {
	tests := []struct {
		name      string
		fields    []hpack.HeaderField
		endStream bool
		code      Code
		message   string
	}{
		{"404", hf(":status", "404", "content-type", "text/html"), true, Unimplemented,
			`unexpected HTTP status code received from server: 404 (Not Found); unexpected content-type "text/html"`},
		{"503 grpc", hf(":status", "503", "content-type", "application/grpc"), false, Unavailable,
			"unexpected HTTP status code received from server: 503 (Service Unavailable)"},
		{"grpc-status wins", hf(":status", "503", "grpc-status", "8", "grpc-message", "slow"), true, ResourceExhausted, "slow"},
		{"html 200", hf(":status", "200", "content-type", "text/html"), false, Unknown, `unexpected content-type "text/html"`},
		{"no content-type 401", hf(":status", "401"), true, Unauthenticated,
			`unexpected HTTP status code received from server: 401 (Unauthorized); unexpected content-type ""`},
		{"no trailers", hf(":status", "200", "content-type", "application/grpc"), true, Internal,
			"server closed the stream without sending trailers"},
		{"trailers only", hf(":status", "200", "content-type", "application/grpc", "grpc-status", "12"), true, Unimplemented, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, tr, err := ParseResponseHeaders(tt.fields, tt.endStream)
			require.NoError(t, err)
			require.NotNil(t, tr, "got no trailers; want the response to end")
			assert.Equal(t, tt.code, tr.Status.Code(), "got %v; want %v", tr.Status.Code(), tt.code)
			assert.Equal(t, tt.message, tr.Status.Message())
		})
	}
}

func TestParseResponseHeadersMalformed(t *testing.T) {
	for name, fields := range map[string][]hpack.HeaderField{
		"missing :status":   hf("content-type", "application/grpc"),
		"bad :status":       hf(":status", "2x0"),
		"long :status":      hf(":status", "2000"),
		"duplicate :status": hf(":status", "200", ":status", "200"),
		"request pseudo":    hf(":status", "200", ":path", "/"),
		"pseudo after":      hf("content-type", "application/grpc", ":status", "200"),
		"bad grpc-status":   hf(":status", "200", "content-type", "application/grpc", "grpc-status", "OK"),
		"bad bin md":        hf(":status", "200", "content-type", "application/grpc", "k-bin", "*"),
	} {
		_, _, err := ParseResponseHeaders(fields, false)
		require.Error(t, err, name)
		assert.Equal(t, Internal, CodeOf(err), name)
	}
}

// TestParseTrailersOKIsShared: plain OK trailers give the one shared OK status; with a
// message or another code, a status of their own.
func TestParseTrailersOKIsShared(t *testing.T) {
	tr, err := ParseTrailers(hf("grpc-status", "0"))
	require.NoError(t, err)
	assert.Same(t, StatusOK(), tr.Status)
	assert.Equal(t, OK, tr.Status.Code())
	tr, err = ParseTrailers(hf("grpc-status", "0", "grpc-message", "fine"))
	require.NoError(t, err)
	assert.NotSame(t, StatusOK(), tr.Status)
	assert.Equal(t, "fine", tr.Status.Message())
}
