package harness

import (
	"fmt"
	"strings"
)

// Kind is what one operation of a workload is.
type Kind string

const (
	// Unary: one UnaryCall, request and response.
	Unary Kind = "unary"
	// PingPong: one request sent on the caller's StreamingCall stream and its one response
	// received, before the next request (gRPC's "ping-pong" benchmark).
	PingPong Kind = "pingpong"
	// ServerStream: one response received on the caller's StreamingFromServer stream, whose
	// server sends as fast as flow control lets it.
	ServerStream Kind = "server-stream"
)

// Workload is one kind of load: what each operation sends and asks back, and how many
// callers share the one connection, each starting its next operation when the previous one
// returns. Streaming workloads give each caller one stream for the whole run.
type Workload struct {
	Name     string `json:"name"`
	Kind     Kind   `json:"kind"`
	ReqSize  int    `json:"req_size"`  // bytes of payload the request carries
	RespSize int    `json:"resp_size"` // response_size the request asks for
	Callers  int    `json:"callers"`   // callers, each with its own stream if the workload streams
	About    string `json:"about"`
}

// Streaming says whether the workload's callers each hold one stream.
func (w Workload) Streaming() bool { return w.Kind != Unary }

// Workloads are the workloads of the report, in report order.
var Workloads = []Workload{
	{Name: "unary-0B-c1", Kind: Unary, Callers: 1, About: "unary, empty request and response, 1 caller"},
	{Name: "unary-0B-c64", Kind: Unary, Callers: 64, About: "unary, empty request and response, 64 callers on one connection"},
	{Name: "unary-1KiB-c1", Kind: Unary, ReqSize: 1 << 10, RespSize: 1 << 10, Callers: 1, About: "unary, 1 KiB request and 1 KiB response, 1 caller"},
	{Name: "unary-1KiB-c64", Kind: Unary, ReqSize: 1 << 10, RespSize: 1 << 10, Callers: 64, About: "unary, 1 KiB request and 1 KiB response, 64 callers on one connection"},
	{Name: "unary-1MiB-c1", Kind: Unary, ReqSize: 1 << 20, RespSize: 1 << 20, Callers: 1, About: "unary, 1 MiB request and 1 MiB response, 1 caller"},
	{Name: "bidi-pingpong-1KiB-c1", Kind: PingPong, ReqSize: 1 << 10, RespSize: 1 << 10, Callers: 1, About: "StreamingCall ping-pong on one stream: a 1 KiB request, wait for its 1 KiB response, repeat; an op is one round trip"},
	{Name: "bidi-pingpong-1KiB-c64", Kind: PingPong, ReqSize: 1 << 10, RespSize: 1 << 10, Callers: 64, About: "the same ping-pong on 64 streams at once, one connection"},
	{Name: "server-stream-1KiB-c1", Kind: ServerStream, RespSize: 1 << 10, Callers: 1, About: "StreamingFromServer: the server sends 1 KiB responses on one stream as fast as it can; an op is one message received"},
	{Name: "server-stream-1KiB-c64", Kind: ServerStream, RespSize: 1 << 10, Callers: 64, About: "the same on 64 streams at once, one connection"},
}

// MaxPayload is the largest payload a workload uses; servers keep one zero buffer this big.
const MaxPayload = 1 << 20

// LookupWorkload finds a workload by name.
func LookupWorkload(name string) (Workload, error) {
	var names []string
	for _, w := range Workloads {
		if w.Name == name {
			return w, nil
		}
		names = append(names, w.Name)
	}
	return Workload{}, fmt.Errorf("unknown workload %q; want one of %s", name, strings.Join(names, ", "))
}

var zeros = make([]byte, MaxPayload)

// Body returns n zero bytes for a payload. The bytes are shared and must not be written:
// both servers answer from the same buffer so that neither pays for building payloads.
func Body(n int) []byte {
	if n <= 0 {
		return nil
	}
	return zeros[:min(n, MaxPayload):min(n, MaxPayload)]
}
