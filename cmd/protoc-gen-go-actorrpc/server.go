package main

import "google.golang.org/protobuf/compiler/protogen"

// genServer writes the server interface, the Unimplemented and Unsafe types, and the
// Register functions.
func genServer(g *protogen.GeneratedFile, s *service) {
	genServerInterface(g, s)
	genUnimplemented(g, s)
	genUnsafe(g, s)
	genRegister(g, s)
	genRegisterActor(g, s)
}

// genServerInterface writes the interface that server implementations satisfy.
func genServerInterface(g *protogen.GeneratedFile, s *service) {
	genTypeDoc(g, s, s.server+" is the server API for the "+s.GoName+" service.\n"+
		"// All implementations must embed "+s.unimplemented+" for forward compatibility.")
	g.AnnotateSymbol(s.server, protogen.Annotation{Location: s.Location})
	g.P("type ", s.server, " interface {")
	for _, m := range s.methods {
		g.AnnotateSymbol(s.server+"."+m.GoName, protogen.Annotation{Location: m.Location})
		genMethodDoc(g, m.Comments.Leading, m.deprecated)
		g.P(serverSignature(g, m))
	}
	g.P(mustEmbed(s), "()")
	g.P("}")
	g.P()
}

// genUnimplemented writes the struct whose methods all fail with Unimplemented.
func genUnimplemented(g *protogen.GeneratedFile, s *service) {
	g.P("// ", s.unimplemented, " must be embedded to have forward compatible implementations:")
	g.P("// its methods fail with ", actorrpcPackage.Ident("Unimplemented"), ".")
	g.P("//")
	g.P("// Embed it by value, not by pointer: a nil pointer would panic when a method is called.")
	g.P("type ", s.unimplemented, " struct{}")
	g.P()
	for _, m := range s.methods {
		g.P("func (", s.unimplemented, ") ", serverSignature(g, m), " {")
		ret := "return nil, "
		if m.actor != "" {
			ret = "return "
		}
		g.P(ret, actorrpcPackage.Ident("Errorf"), "(", actorrpcPackage.Ident("Unimplemented"),
			", ", quote("method "+m.GoName+" not implemented"), ")")
		g.P("}")
		g.P()
	}
	g.P("func (", s.unimplemented, ") ", mustEmbed(s), "() {}")
	g.P("func (", s.unimplemented, ") testEmbeddedByValue() {}")
	g.P()
}

// genUnsafe writes the interface to embed instead of Unimplemented, which opts out of
// forward compatibility.
func genUnsafe(g *protogen.GeneratedFile, s *service) {
	g.P("// Unsafe", s.server, " may be embedded to opt out of forward compatibility for this service.")
	g.P("// Use of this interface is not recommended, as added methods to ", s.server, " will")
	g.P("// result in compilation errors.")
	g.P("type Unsafe", s.server, " interface {")
	g.P(mustEmbed(s), "()")
	g.P("}")
	g.P()
}

// genRegister writes the function that serves the service with a Go implementation.
func genRegister(g *protogen.GeneratedFile, s *service) {
	g.P("// Register", s.server, " serves the ", s.GoName, " service on s with srv, whose methods")
	g.P("// are plain blocking Go functions.")
	if s.deprecated {
		g.P("//")
		g.P(deprecationComment)
	}
	g.P("func Register", s.server, "(s ", actorrpcPackage.Ident("ServiceRegistrar"), ", srv ", s.server, ") {")
	g.P("// If the following call panics, ", s.unimplemented, " was embedded by pointer and")
	g.P("// is nil. That would panic when an unimplemented method is called, so fail now instead.")
	g.P("if t, ok := srv.(interface{ testEmbeddedByValue() }); ok {")
	g.P("t.testEmbeddedByValue()")
	g.P("}")
	g.P("s.RegisterService(&", s.desc, ", srv)")
	g.P("}")
	g.P()
}

// genRegisterActor writes the function that serves the service with an actor.
func genRegisterActor(g *protogen.GeneratedFile, s *service) {
	g.P("// Register", s.GoName, "Actor serves the ", s.GoName, " service on s with an actor: each unary call")
	g.P("// arrives at pid as an *", actorrpcPackage.Ident("UnaryCall"), " whose Request is the method's request")
	g.P("// type; answer with call.Respond or call.Fail.")
	if len(s.streams) > 0 {
		g.P("// Each streaming call arrives as an *", actorrpcPackage.Ident("IncomingStreamCall"), ", followed by")
		g.P("// *", actorrpcPackage.Ident("StreamMessage"), " (whose Msg is the method's request type) and *",
			actorrpcPackage.Ident("StreamEnd"), ";")
		g.P("// answer with call.Stream.Send and end the call with call.Stream.Finish.")
	}
	if s.deprecated {
		g.P("//")
		g.P(deprecationComment)
	}
	g.P("func Register", s.GoName, "Actor(s ", actorrpcPackage.Ident("ServiceRegistrar"), ", pid *",
		actorPackage.Ident("PID"), ") {")
	g.P("s.RegisterActorService(&", s.desc, ", pid)")
	g.P("}")
	g.P()
}

// serverSignature is the server method's name and signature.
func serverSignature(g *protogen.GeneratedFile, m *method) string {
	if m.actor != "" {
		return streamServerSignature(g, m)
	}
	return m.GoName + "(" + g.QualifiedGoIdent(contextPackage.Ident("Context")) +
		", *" + g.QualifiedGoIdent(m.Input.GoIdent) + ") (*" + g.QualifiedGoIdent(m.Output.GoIdent) + ", error)"
}

// mustEmbed is the name of the unexported method that forces embedding Unimplemented.
func mustEmbed(s *service) string { return "mustEmbed" + s.unimplemented }
