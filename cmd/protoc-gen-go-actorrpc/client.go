package main

import "google.golang.org/protobuf/compiler/protogen"

// genClient writes the client interface, its implementation and its constructor.
func genClient(g *protogen.GeneratedFile, s *service) {
	genClientInterface(g, s)
	genClientStruct(g, s)
	for _, m := range s.methods {
		if m.actor != "" {
			genStreamClientMethod(g, s, m)
			genActorClientMethod(g, s, m)
			continue
		}
		genClientMethod(g, s, m)
		genClientAsyncMethod(g, s, m)
	}
}

// genClientInterface writes the client interface, with a blocking and an async method
// per unary method, and a blocking and an actor-driven one per streaming method.
func genClientInterface(g *protogen.GeneratedFile, s *service) {
	genTypeDoc(g, s, s.client+" is the client API for the "+s.GoName+" service.")
	g.AnnotateSymbol(s.client, protogen.Annotation{Location: s.Location})
	g.P("type ", s.client, " interface {")
	for _, m := range s.methods {
		g.AnnotateSymbol(s.client+"."+m.GoName, protogen.Annotation{Location: m.Location})
		genMethodDoc(g, m.Comments.Leading, m.deprecated)
		if m.actor != "" {
			g.P(streamClientSignature(g, m))
			genMethodDoc(g, actorDoc(g, m), m.deprecated)
			g.P(actorSignature(g, m))
			continue
		}
		g.P(clientSignature(g, m))
		asyncDoc := " " + m.async + " starts " + m.GoName + " and returns a future for its response without blocking."
		genMethodDoc(g, protogen.Comments(asyncDoc), m.deprecated)
		g.P(asyncSignature(g, m))
	}
	g.P("}")
	g.P()
}

// genClientStruct writes the unexported client implementation and its constructor.
func genClientStruct(g *protogen.GeneratedFile, s *service) {
	g.P("type ", s.clientImpl, " struct {")
	g.P("cc ", actorrpcPackage.Ident("ClientConnInterface"))
	g.P("}")
	g.P()
	g.P("// New", s.client, " returns a client of the ", s.GoName, " service that makes its calls on cc.")
	if s.deprecated {
		g.P("//")
		g.P(deprecationComment)
	}
	g.P("func New", s.client, "(cc ", actorrpcPackage.Ident("ClientConnInterface"), ") ", s.client, " {")
	g.P("return &", s.clientImpl, "{cc}")
	g.P("}")
	g.P()
}

// genClientMethod writes the blocking client method for m.
func genClientMethod(g *protogen.GeneratedFile, s *service, m *method) {
	genDeprecated(g, m.deprecated)
	g.P("func (c *", s.clientImpl, ") ", clientSignature(g, m), " {")
	g.P("out := new(", m.Output.GoIdent, ")")
	g.P("if err := c.cc.Invoke(ctx, ", m.fullMethodConst, ", in, out, opts...); err != nil {")
	g.P("return nil, err")
	g.P("}")
	g.P("return out, nil")
	g.P("}")
	g.P()
}

// genClientAsyncMethod writes the client method for m that returns a future.
func genClientAsyncMethod(g *protogen.GeneratedFile, s *service, m *method) {
	genDeprecated(g, m.deprecated)
	g.P("func (c *", s.clientImpl, ") ", asyncSignature(g, m), " {")
	g.P("return ", actorrpcPackage.Ident("InvokeAsync"), "(ctx, c.cc, ", m.fullMethodConst,
		", in, new(", m.Output.GoIdent, "), opts...)")
	g.P("}")
	g.P()
}

// clientSignature is the blocking client method's name and signature.
func clientSignature(g *protogen.GeneratedFile, m *method) string {
	return m.GoName + clientParams(g, m) + " (*" + g.QualifiedGoIdent(m.Output.GoIdent) + ", error)"
}

// asyncSignature is the async client method's name and signature.
func asyncSignature(g *protogen.GeneratedFile, m *method) string {
	return m.async + clientParams(g, m) + " *" + g.QualifiedGoIdent(actorrpcPackage.Ident("Future")) +
		"[*" + g.QualifiedGoIdent(m.Output.GoIdent) + "]"
}

// clientParams is the parameter list shared by both client methods.
func clientParams(g *protogen.GeneratedFile, m *method) string {
	return "(ctx " + g.QualifiedGoIdent(contextPackage.Ident("Context")) +
		", in *" + g.QualifiedGoIdent(m.Input.GoIdent) +
		", opts ..." + g.QualifiedGoIdent(actorrpcPackage.Ident("CallOption")) + ")"
}
