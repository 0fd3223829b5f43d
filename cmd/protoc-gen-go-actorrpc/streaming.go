package main

import "google.golang.org/protobuf/compiler/protogen"

// ioPackage is imported by server-streaming client methods, for io.EOF.
const ioPackage = protogen.GoImportPath("io")

// streamKind names the generic stream types of a streaming method's kind: ServerStreaming,
// ClientStreaming or BidiStreaming.
func streamKind(m *method) string {
	switch {
	case m.clientStreams && m.serverStreams:
		return "BidiStreaming"
	case m.clientStreams:
		return "ClientStreaming"
	default:
		return "ServerStreaming"
	}
}

// streamType is the generic stream interface of m for side "Client" or "Server", e.g.
// actorrpc.ServerStreamingClient[HelloResponse] or actorrpc.BidiStreamingServer[HelloRequest, HelloResponse].
func streamType(g *protogen.GeneratedFile, m *method, side string) string {
	t := g.QualifiedGoIdent(actorrpcPackage.Ident(streamKind(m)+side)) + "["
	if m.clientStreams {
		t += g.QualifiedGoIdent(m.Input.GoIdent) + ", "
	}
	return t + g.QualifiedGoIdent(m.Output.GoIdent) + "]"
}

// genericStream is the generic struct that implements m's stream interfaces on side
// "Client" or "Server", e.g. actorrpc.GenericClientStream[HelloRequest, HelloResponse].
func genericStream(g *protogen.GeneratedFile, m *method, side string) string {
	return g.QualifiedGoIdent(actorrpcPackage.Ident("Generic"+side+"Stream")) + "[" +
		g.QualifiedGoIdent(m.Input.GoIdent) + ", " + g.QualifiedGoIdent(m.Output.GoIdent) + "]"
}

// streamDescRef is the expression for m's StreamDesc.
func streamDescRef(s *service, m *method) string {
	return "&" + s.desc + ".Streams[" + itoa(int32(m.streamIndex)) + "]"
}

// streamClientSignature is the blocking client method's name and signature for the
// streaming method m. Only a server-streaming method takes the request as a parameter.
func streamClientSignature(g *protogen.GeneratedFile, m *method) string {
	params := "(ctx " + g.QualifiedGoIdent(contextPackage.Ident("Context"))
	if !m.clientStreams {
		params += ", in *" + g.QualifiedGoIdent(m.Input.GoIdent)
	}
	params += ", opts ..." + g.QualifiedGoIdent(actorrpcPackage.Ident("CallOption")) + ")"
	return m.GoName + params + " (" + streamType(g, m, "Client") + ", error)"
}

// actorSignature is the actor-driven client method's name and signature for the
// streaming method m.
func actorSignature(g *protogen.GeneratedFile, m *method) string {
	params := "(ctx " + g.QualifiedGoIdent(contextPackage.Ident("Context"))
	if !m.clientStreams {
		params += ", in *" + g.QualifiedGoIdent(m.Input.GoIdent)
	}
	params += ", pid *" + g.QualifiedGoIdent(actorPackage.Ident("PID")) +
		", opts ..." + g.QualifiedGoIdent(actorrpcPackage.Ident("CallOption")) + ")"
	return m.actor + params + " (*" + g.QualifiedGoIdent(actorrpcPackage.Ident("StreamRef")) + ", error)"
}

// actorDoc is the doc comment of the actor-driven client method of m.
func actorDoc(g *protogen.GeneratedFile, m *method) protogen.Comments {
	doc := " " + m.actor + " starts " + m.GoName + " driven by the actor pid"
	if !m.clientStreams {
		doc += ": it sends in and half-closes"
	}
	doc += ".\n The responses arrive at pid as *" + g.QualifiedGoIdent(actorrpcPackage.Ident("StreamHeader")) +
		", *" + g.QualifiedGoIdent(actorrpcPackage.Ident("StreamMessage")) +
		"\n (whose Msg is a *" + g.QualifiedGoIdent(m.Output.GoIdent) + ") and *" +
		g.QualifiedGoIdent(actorrpcPackage.Ident("StreamEnd")) + "."
	if m.clientStreams {
		doc += "\n Send the requests, then CloseSend, with the returned *" +
			g.QualifiedGoIdent(actorrpcPackage.Ident("StreamRef")) + "."
	} else {
		doc += "\n Cancel the call with the returned *" + g.QualifiedGoIdent(actorrpcPackage.Ident("StreamRef")) + "."
	}
	return protogen.Comments(doc)
}

// genStreamClientMethod writes the blocking client method for the streaming method m,
// and the type alias protoc-gen-go-grpc also declares for its stream.
func genStreamClientMethod(g *protogen.GeneratedFile, s *service, m *method) {
	genDeprecated(g, m.deprecated)
	g.P("func (c *", s.clientImpl, ") ", streamClientSignature(g, m), " {")
	g.P("stream, err := c.cc.NewStream(ctx, ", streamDescRef(s, m), ", ", m.fullMethodConst, ", opts...)")
	g.P("if err != nil {")
	g.P("return nil, err")
	g.P("}")
	g.P("x := &", genericStream(g, m, "Client"), "{ClientStream: stream}")
	if !m.clientStreams {
		g.P("// io.EOF means the call has already ended: Recv returns how.")
		g.P("if err := x.ClientStream.SendMsg(in); err != nil && err != ", ioPackage.Ident("EOF"), " {")
		g.P("return nil, err")
		g.P("}")
		g.P("if err := x.ClientStream.CloseSend(); err != nil {")
		g.P("return nil, err")
		g.P("}")
	}
	g.P("return x, nil")
	g.P("}")
	g.P()
	g.P("// ", m.clientAlias, " is the client side of ", m.GoName, ", by the name protoc-gen-go-grpc gives it.")
	g.P("type ", m.clientAlias, " = ", streamType(g, m, "Client"))
	g.P()
}

// genActorClientMethod writes the actor-driven client method for the streaming method m.
func genActorClientMethod(g *protogen.GeneratedFile, s *service, m *method) {
	genDeprecated(g, m.deprecated)
	g.P("func (c *", s.clientImpl, ") ", actorSignature(g, m), " {")
	g.P("ref, err := c.cc.StartStream(ctx, ", streamDescRef(s, m), ", ", m.fullMethodConst, ", pid, func() ",
		protoPackage.Ident("Message"), " { return new(", m.Output.GoIdent, ") }, opts...)")
	g.P("if err != nil {")
	g.P("return nil, err")
	g.P("}")
	if !m.clientStreams {
		g.P("root := c.cc.ActorSystem().Root")
		g.P("if err := ref.Send(root, in); err != nil {")
		g.P("ref.Cancel(root)")
		g.P("return nil, err")
		g.P("}")
		g.P("ref.CloseSend(root)")
	}
	g.P("return ref, nil")
	g.P("}")
	g.P()
}

// streamServerSignature is the server method's name and signature for the streaming
// method m.
func streamServerSignature(g *protogen.GeneratedFile, m *method) string {
	params := "("
	if !m.clientStreams {
		params += "*" + g.QualifiedGoIdent(m.Input.GoIdent) + ", "
	}
	return m.GoName + params + streamType(g, m, "Server") + ") error"
}

// genStreamHandler writes the StreamDesc.Handler of the streaming method m, and the type
// alias protoc-gen-go-grpc also declares for its stream.
func genStreamHandler(g *protogen.GeneratedFile, s *service, m *method) {
	g.P("func ", m.handler, "(srv any, stream ", actorrpcPackage.Ident("ServerStream"), ") error {")
	wrapped := "&" + genericStream(g, m, "Server") + "{ServerStream: stream}"
	if m.clientStreams {
		g.P("return srv.(", s.server, ").", m.GoName, "(", wrapped, ")")
	} else {
		g.P("m := new(", m.Input.GoIdent, ")")
		g.P("if err := stream.RecvMsg(m); err != nil {")
		g.P("return err")
		g.P("}")
		g.P("return srv.(", s.server, ").", m.GoName, "(m, ", wrapped, ")")
	}
	g.P("}")
	g.P()
	g.P("// ", m.serverAlias, " is the server side of ", m.GoName, ", by the name protoc-gen-go-grpc gives it.")
	g.P("type ", m.serverAlias, " = ", streamType(g, m, "Server"))
	g.P()
}

// genStreamDesc writes the StreamDesc of m, an element of ServiceDesc.Streams.
func genStreamDesc(g *protogen.GeneratedFile, m *method) {
	g.P("{")
	g.P("StreamName: ", quote(string(m.Desc.Name())), ",")
	g.P("Handler: ", m.handler, ",")
	if m.serverStreams {
		g.P("ServerStreams: true,")
	}
	if m.clientStreams {
		g.P("ClientStreams: true,")
	}
	g.P("NewRequest: func() ", protoPackage.Ident("Message"), " { return new(", m.Input.GoIdent, ") },")
	g.P("},")
}
