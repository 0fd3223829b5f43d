package main

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/types/descriptorpb"
)

// deprecationComment marks generated names whose service or method is deprecated.
const deprecationComment = "// Deprecated: Do not use."

// service is a service to generate, with the Go names chosen for it.
type service struct {
	*protogen.Service

	client        string // client interface, e.g. HelloServiceClient
	clientImpl    string // unexported client struct, e.g. helloServiceClient
	server        string // server interface, e.g. HelloServiceServer
	unimplemented string // struct to embed, e.g. UnimplementedHelloServiceServer
	desc          string // ServiceDesc variable, e.g. HelloService_ServiceDesc
	deprecated    bool

	unary     []*method          // methods that are generated
	streaming []*protogen.Method // methods that are omitted, with skip_streaming=true
}

// method is a unary method to generate, with the Go names chosen for it.
type method struct {
	*protogen.Method

	fullMethod      string // "/helloworld.HelloService/SayHello"
	fullMethodConst string // HelloService_SayHello_FullMethodName
	async           string // SayHelloAsync, or with underscores appended if that is taken
	handler         string // _HelloService_SayHello_Handler
	deprecated      bool
}

// newService chooses the Go names for s and splits its methods into unary and
// streaming ones.
func newService(s *protogen.Service) *service {
	name := s.GoName
	out := &service{
		Service:       s,
		client:        name + "Client",
		clientImpl:    unexport(name) + "Client",
		server:        name + "Server",
		unimplemented: "Unimplemented" + name + "Server",
		desc:          name + "_ServiceDesc",
		deprecated:    s.Desc.Options().(*descriptorpb.ServiceOptions).GetDeprecated(),
	}
	taken := make(map[string]bool)
	for _, m := range s.Methods {
		taken[m.GoName] = true
	}
	for _, m := range s.Methods {
		if isStreaming(m) {
			out.streaming = append(out.streaming, m)
			continue
		}
		out.unary = append(out.unary, newMethod(out, m, taken))
	}
	return out
}

// newMethod chooses the Go names for the unary method m of s. taken holds the method
// names of the client interface so far; the async name is added to it.
func newMethod(s *service, m *protogen.Method, taken map[string]bool) *method {
	async := m.GoName + "Async"
	// A method may already be called FooAsync: append underscores until the name is
	// free, as protoc-gen-go does for names that collide with generated methods.
	for taken[async] {
		async += "_"
	}
	taken[async] = true
	return &method{
		Method:          m,
		fullMethod:      fmt.Sprintf("/%s/%s", s.Desc.FullName(), m.Desc.Name()),
		fullMethodConst: s.GoName + "_" + m.GoName + "_FullMethodName",
		async:           async,
		handler:         "_" + s.GoName + "_" + m.GoName + "_Handler",
		deprecated:      m.Desc.Options().(*descriptorpb.MethodOptions).GetDeprecated(),
	}
}

// isStreaming reports whether the client or the server streams in m.
func isStreaming(m *protogen.Method) bool {
	return m.Desc.IsStreamingClient() || m.Desc.IsStreamingServer()
}

// streamingNames lists the Go names of the omitted streaming methods.
func (s *service) streamingNames() string {
	names := make([]string, len(s.streaming))
	for i, m := range s.streaming {
		names[i] = m.GoName
	}
	return strings.Join(names, ", ")
}

// genTypeDoc writes the doc comment of an interface of s: the summary, the service's
// own leading comments, the omitted streaming methods and the deprecation notice.
func genTypeDoc(g *protogen.GeneratedFile, s *service, summary string) {
	g.P("// ", summary)
	if c := strings.TrimSpace(s.Comments.Leading.String()); c != "" {
		g.P("//")
		g.P(c)
	}
	if len(s.streaming) > 0 {
		g.P("//")
		g.P("// Streaming methods are omitted (generated with skip_streaming=true, as actorrpc")
		g.P("// does not support streaming yet): ", s.streamingNames(), ".")
	}
	if s.deprecated {
		g.P("//")
		g.P(deprecationComment)
	}
}

// genDeprecated writes the deprecation notice if deprecated is set.
func genDeprecated(g *protogen.GeneratedFile, deprecated bool) {
	if deprecated {
		g.P(deprecationComment)
	}
}

// genMethodDoc writes the doc comment of a method in an interface: the given comments,
// then the deprecation notice, as a paragraph of its own, if deprecated is set.
func genMethodDoc(g *protogen.GeneratedFile, doc protogen.Comments, deprecated bool) {
	if doc != "" {
		g.P(strings.TrimSuffix(doc.String(), "\n"))
		if deprecated {
			g.P("//")
		}
	}
	genDeprecated(g, deprecated)
}

// unexport lower-cases the first letter of a Go name.
func unexport(s string) string { return strings.ToLower(s[:1]) + s[1:] }
