package harness

import (
	"fmt"
	"strings"
)

// Workload is one kind of load: what each call sends and asks back, and how many callers
// share the one connection, each starting its next call when the previous one returns.
type Workload struct {
	Name     string `json:"name"`
	ReqSize  int    `json:"req_size"`  // bytes of payload the request carries
	RespSize int    `json:"resp_size"` // response_size the request asks for
	Callers  int    `json:"callers"`
	About    string `json:"about"`
}

// Workloads are the unary workloads of the report, in report order.
//
// TODO(streaming): add bidi ping-pong (StreamingCall, 1 message each way per round trip)
// and server streaming 1 KiB (StreamingFromServer, messages/s). The runtime streams, but
// protoc-gen-go-actorrpc does not generate streaming stubs yet (benchpb is generated with
// skip_streaming=true): regenerate benchpb without it, give both servers the two handlers
// and both clients a stream driver. Until then neither runtime is measured on them.
var Workloads = []Workload{
	{Name: "unary-0B-c1", Callers: 1, About: "unary, empty request and response, 1 caller"},
	{Name: "unary-0B-c64", Callers: 64, About: "unary, empty request and response, 64 callers on one connection"},
	{Name: "unary-1KiB-c1", ReqSize: 1 << 10, RespSize: 1 << 10, Callers: 1, About: "unary, 1 KiB request and 1 KiB response, 1 caller"},
	{Name: "unary-1KiB-c64", ReqSize: 1 << 10, RespSize: 1 << 10, Callers: 64, About: "unary, 1 KiB request and 1 KiB response, 64 callers on one connection"},
	{Name: "unary-1MiB-c1", ReqSize: 1 << 20, RespSize: 1 << 20, Callers: 1, About: "unary, 1 MiB request and 1 MiB response, 1 caller"},
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
