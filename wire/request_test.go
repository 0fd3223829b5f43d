package wire

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2/hpack"
)

func hf(pairs ...string) []hpack.HeaderField {
	out := make([]hpack.HeaderField, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, hpack.HeaderField{Name: pairs[i], Value: pairs[i+1]})
	}
	return out
}

func TestAppendRequestHeaders(t *testing.T) {
	h := &RequestHeaders{
		Path:           "/pkg.Svc/Do",
		Authority:      "example.com:443",
		Scheme:         "https",
		ContentSubtype: "proto",
		Timeout:        time.Second,
		HasTimeout:     true,
		UserAgent:      "actorrpc/1",
		Encoding:       "gzip",
		AcceptEncoding: "gzip",
		Metadata:       Metadata{"x-id": {"7"}, "trace-bin": {"\x01"}, "user-agent": {"no"}},
	}
	got, err := AppendRequestHeaders(nil, h)
	require.NoError(t, err)
	assert.Equal(t, hf(
		":method", "POST", ":scheme", "https", ":path", "/pkg.Svc/Do", ":authority", "example.com:443",
		"content-type", "application/grpc+proto", "te", "trailers", "grpc-timeout", "1000000u",
		"grpc-encoding", "gzip", "grpc-accept-encoding", "gzip", "user-agent", "actorrpc/1",
		"trace-bin", "AQ", "x-id", "7",
	), got)

	got, err = AppendRequestHeaders(nil, &RequestHeaders{Path: "/s/m"})
	require.NoError(t, err)
	assert.Equal(t, hf(":method", "POST", ":scheme", "http", ":path", "/s/m",
		"content-type", "application/grpc", "te", "trailers"), got)

	for _, bad := range []*RequestHeaders{
		{Path: ""}, {Path: "s/m"}, {Path: "/s/m", UserAgent: "a\nb"},
		{Path: "/s/m", Metadata: Metadata{"X": {"1"}}},
	} {
		_, err := AppendRequestHeaders(nil, bad)
		assert.Error(t, err, "%+v", bad)
	}
}

func TestParseRequestHeadersRoundTrip(t *testing.T) {
	h := &RequestHeaders{
		Path: "/pkg.Svc/Do", Authority: "a:1", Scheme: "https", ContentSubtype: "json",
		Timeout: 1500 * time.Millisecond, HasTimeout: true, UserAgent: "ua", Encoding: "gzip",
		AcceptEncoding: "gzip,identity", Metadata: Metadata{"x-id": {"1", "2"}, "k-bin": {"\x00\xff"}},
	}
	fields, err := AppendRequestHeaders(nil, h)
	require.NoError(t, err)
	got, herr := ParseRequestHeaders(fields)
	require.Nil(t, herr)
	want := *h
	want.Metadata = Metadata{"x-id": {"1", "2"}, "k-bin": {"\x00\xff"}, "user-agent": {"ua"}}
	assert.Equal(t, &want, got)
}

func validRequest(extra ...string) []hpack.HeaderField {
	return hf(append([]string{":method", "POST", ":scheme", "http", ":path", "/s/m", ":authority", "h",
		"content-type", "application/grpc", "te", "trailers"}, extra...)...)
}

func TestParseRequestHeadersDetails(t *testing.T) {
	got, herr := ParseRequestHeaders(hf(":method", "POST", ":scheme", "http", ":path", "/s/m",
		"content-type", "application/grpc;charset=utf-8", "host", "h:1", "custom", "v", "grpc-status", "0",
		"grpc-accept-encoding", "gzip", "grpc-accept-encoding", "deflate"))
	require.Nil(t, herr)
	assert.Equal(t, "h:1", got.Authority, "host stands in for a missing :authority")
	assert.Equal(t, "", got.ContentSubtype)
	assert.Equal(t, "gzip,deflate", got.AcceptEncoding)
	assert.Equal(t, Metadata{"custom": {"v"}}, got.Metadata)
	assert.False(t, got.HasTimeout)

	// A missing te is tolerated.
	_, herr = ParseRequestHeaders(hf(":method", "POST", ":scheme", "http", ":path", "/s/m", "content-type", "application/grpc"))
	assert.Nil(t, herr)
}

func TestParseRequestHeadersErrors(t *testing.T) {
	tests := []struct {
		name       string
		fields     []hpack.HeaderField
		httpStatus int
		code       Code
	}{
		{"GET", hf(":method", "GET", ":scheme", "http", ":path", "/s/m", "content-type", "application/grpc"), 405, Internal},
		{"no content-type", hf(":method", "POST", ":scheme", "http", ":path", "/s/m"), 415, Internal},
		{"json content-type", hf(":method", "POST", ":scheme", "http", ":path", "/s/m", "content-type", "application/json"), 415, Internal},
		{"grpc-web", hf(":method", "POST", ":scheme", "http", ":path", "/s/m", "content-type", "application/grpc-web"), 415, Internal},
		{"missing path", hf(":method", "POST", ":scheme", "http", "content-type", "application/grpc"), 400, Internal},
		{"empty path", hf(":method", "POST", ":scheme", "http", ":path", "", "content-type", "application/grpc"), 400, Internal},
		{"te gzip", validRequest("te", "gzip"), 400, Internal},
		{"te trailers, deflate", validRequest("te", "trailers, deflate"), 400, Internal},
		{"CONNECT with :path", hf(":method", "CONNECT", ":scheme", "http", ":path", "/s/m", ":authority", "h:1"), 400, Internal},
		{"CONNECT", hf(":method", "CONNECT", ":authority", "h:1"), 405, Internal},
		{"relative path", hf(":method", "POST", ":scheme", "http", ":path", "s/m", "content-type", "application/grpc"), 0, Unimplemented},
		{"no method in path", hf(":method", "POST", ":scheme", "http", ":path", "/sm", "content-type", "application/grpc"), 0, Unimplemented},
		{"bad timeout", validRequest("grpc-timeout", "1x"), 0, Internal},
		{"bad binary", validRequest("a-bin", "!!"), 0, Internal},
		{"pseudo after regular", append(validRequest(), hpack.HeaderField{Name: ":authority", Value: "x"}), 400, Internal},
		{"unknown pseudo", hf(":method", "POST", ":protocol", "x", ":scheme", "http", ":path", "/s/m", "content-type", "application/grpc"), 400, Internal},
		{"response pseudo", hf(":status", "200", ":method", "POST", ":scheme", "http", ":path", "/s/m", "content-type", "application/grpc"), 400, Internal},
		{"duplicate path", hf(":method", "POST", ":scheme", "http", ":path", "/s/m", ":path", "/s/m", "content-type", "application/grpc"), 400, Internal},
		{"missing method", hf(":scheme", "http", ":path", "/s/m", "content-type", "application/grpc"), 400, Internal},
		{"missing scheme", hf(":method", "POST", ":path", "/s/m", "content-type", "application/grpc"), 400, Internal},
		{"uppercase", validRequest("X-Id", "1"), 400, Internal},
		{"empty name", validRequest("", "1"), 400, Internal},
		{"connection", validRequest("connection", "keep-alive"), 400, Internal},
		{"transfer-encoding", validRequest("transfer-encoding", "chunked"), 400, Internal},
		{"CRLF value", validRequest("x", "a\r\nb"), 400, Internal},
		{"two hosts", validRequest("host", "a", "host", "b"), 400, Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, herr := ParseRequestHeaders(tt.fields)
			require.NotNil(t, herr, "got %+v; want an error", got)
			assert.Nil(t, got)
			assert.Equal(t, tt.httpStatus, herr.HTTPStatus, "got HTTP %d; want %d (%v)", herr.HTTPStatus, tt.httpStatus, herr)
			assert.Equal(t, tt.code, herr.Status.Code(), "got %v; want %v (%v)", herr.Status.Code(), tt.code, herr)
			assert.NotEmpty(t, herr.Error())
			assert.Equal(t, tt.httpStatus == 400, herr.Malformed(), "got Malformed() %v for HTTP %d", herr.Malformed(), tt.httpStatus)
		})
	}
}

// TestParseRequestMetadataValuesOwnTheirSlices checks that the values parsed without an
// allocation of their own (one backing array) do not share room: appending to one key's
// values leaves the others as they were.
func TestParseRequestMetadataValuesOwnTheirSlices(t *testing.T) {
	got, herr := ParseRequestHeaders(validRequest("a", "1", "b", "2", "c", "3", "a", "4", "d", "5", "e", "6", "f", "7"))
	require.Nil(t, herr)
	want := Metadata{"a": {"1", "4"}, "b": {"2"}, "c": {"3"}, "d": {"5"}, "e": {"6"}, "f": {"7"}}
	assert.Equal(t, want, got.Metadata)
	for k := range got.Metadata {
		got.Metadata[k] = append(got.Metadata[k], "x")
	}
	for k, vs := range want {
		assert.Equal(t, append(vs, "x"), got.Metadata[k], "key %q", k)
	}
}
