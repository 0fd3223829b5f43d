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

	methods []*method          // methods that are generated, in .proto order
	unary   []*method          // the unary ones among them
	streams []*method          // the streaming ones, in ServiceDesc.Streams order
	skipped []*protogen.Method // streaming methods omitted with skip_streaming=true
}

// method is a method to generate, with the Go names chosen for it.
type method struct {
	*protogen.Method

	fullMethod      string // "/helloworld.HelloService/SayHello"
	fullMethodConst string // HelloService_SayHello_FullMethodName
	handler         string // _HelloService_SayHello_Handler
	deprecated      bool

	// async (unary methods) or actor (streaming methods) is the name of the client's
	// second form, e.g. SayHelloAsync or BidiHelloActor, with underscores appended if
	// that is taken.
	async, actor string

	// Streaming methods only.
	clientStreams, serverStreams bool
	streamIndex                  int    // index in ServiceDesc.Streams
	clientAlias, serverAlias     string // HelloService_BidiHelloClient, ..._BidiHelloServer
}

// newService chooses the Go names for s and sorts its methods into unary and streaming
// ones. With skipStreaming, streaming methods are left out (and listed in the docs).
func newService(s *protogen.Service, skipStreaming bool) *service {
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
		if isStreaming(m) && skipStreaming {
			out.skipped = append(out.skipped, m)
			continue
		}
		nm := newMethod(out, m, taken)
		out.methods = append(out.methods, nm)
		if isStreaming(m) {
			nm.streamIndex = len(out.streams)
			out.streams = append(out.streams, nm)
		} else {
			out.unary = append(out.unary, nm)
		}
	}
	return out
}

// newMethod chooses the Go names for the method m of s. taken holds the method names of
// the client interface so far; the name of the second client form is added to it.
func newMethod(s *service, m *protogen.Method, taken map[string]bool) *method {
	out := &method{
		Method:          m,
		fullMethod:      fmt.Sprintf("/%s/%s", s.Desc.FullName(), m.Desc.Name()),
		fullMethodConst: s.GoName + "_" + m.GoName + "_FullMethodName",
		handler:         "_" + s.GoName + "_" + m.GoName + "_Handler",
		deprecated:      m.Desc.Options().(*descriptorpb.MethodOptions).GetDeprecated(),
	}
	if !isStreaming(m) {
		out.async = freeName(m.GoName+"Async", taken)
		return out
	}
	out.actor = freeName(m.GoName+"Actor", taken)
	out.clientStreams = m.Desc.IsStreamingClient()
	out.serverStreams = m.Desc.IsStreamingServer()
	out.clientAlias = s.GoName + "_" + m.GoName + "Client"
	out.serverAlias = s.GoName + "_" + m.GoName + "Server"
	return out
}

// freeName returns name, with underscores appended until it is not in taken, and adds
// it to taken. A method may already be called FooAsync: this is what protoc-gen-go does
// for names that collide with generated methods.
func freeName(name string, taken map[string]bool) string {
	for taken[name] {
		name += "_"
	}
	taken[name] = true
	return name
}

// isStreaming reports whether the client or the server streams in m.
func isStreaming(m *protogen.Method) bool {
	return m.Desc.IsStreamingClient() || m.Desc.IsStreamingServer()
}

// skippedNames lists the Go names of the omitted streaming methods.
func (s *service) skippedNames() string {
	names := make([]string, len(s.skipped))
	for i, m := range s.skipped {
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
	if len(s.skipped) > 0 {
		g.P("//")
		g.P("// Streaming methods are omitted (generated with skip_streaming=true): ", s.skippedNames(), ".")
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
