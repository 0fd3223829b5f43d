package main

import (
	"strconv"

	"google.golang.org/protobuf/compiler/protogen"
)

// genHandlers writes, per method, the function that calls it on a server.
func genHandlers(g *protogen.GeneratedFile, s *service) {
	for _, m := range s.methods {
		if m.actor != "" {
			genStreamHandler(g, s, m)
			continue
		}
		genHandler(g, s, m)
	}
}

// genHandler writes the MethodDesc.Handler of m. A nil *Response the method returns
// becomes a nil proto.Message, not a non-nil interface holding a nil pointer.
func genHandler(g *protogen.GeneratedFile, s *service, m *method) {
	msg := protoPackage.Ident("Message")
	g.P("func ", m.handler, "(srv any, ctx ", contextPackage.Ident("Context"), ", req ", msg, ") (", msg, ", error) {")
	g.P("out, err := srv.(", s.server, ").", m.GoName, "(ctx, req.(*", m.Input.GoIdent, "))")
	g.P("if out == nil {")
	g.P("// Return a nil proto.Message, not one that holds a nil *", m.Output.GoIdent.GoName, ".")
	g.P("return nil, err")
	g.P("}")
	g.P("return out, err")
	g.P("}")
	g.P()
}

// genServiceDesc writes the ServiceDesc variable that Register functions pass on.
func genServiceDesc(g *protogen.GeneratedFile, file *protogen.File, s *service) {
	g.P("// ", s.desc, " is the ", actorrpcPackage.Ident("ServiceDesc"), " for the ", s.GoName, " service.")
	g.P("// It's only intended for direct use with Register", s.server, " and Register", s.GoName, "Actor,")
	g.P("// and not to be introspected or modified (even as a copy).")
	g.P("var ", s.desc, " = ", actorrpcPackage.Ident("ServiceDesc"), "{")
	g.P("ServiceName: ", quote(string(s.Desc.FullName())), ",")
	g.P("HandlerType: (*", s.server, ")(nil),")
	g.P("Methods: []", actorrpcPackage.Ident("MethodDesc"), "{")
	for _, m := range s.unary {
		genMethodDesc(g, m)
	}
	g.P("},")
	g.P("Streams: []", actorrpcPackage.Ident("StreamDesc"), "{")
	for _, m := range s.streams {
		genStreamDesc(g, m)
	}
	g.P("},")
	g.P("Metadata: ", quote(file.Desc.Path()), ",")
	g.P("}")
	g.P()
}

// genMethodDesc writes the MethodDesc of m, an element of ServiceDesc.Methods.
func genMethodDesc(g *protogen.GeneratedFile, m *method) {
	msg := protoPackage.Ident("Message")
	g.P("{")
	g.P("MethodName: ", quote(string(m.Desc.Name())), ",")
	g.P("NewRequest: func() ", msg, " { return new(", m.Input.GoIdent, ") },")
	g.P("Handler: ", m.handler, ",")
	g.P("},")
}

// quote returns s as a Go string literal.
func quote(s string) string { return strconv.Quote(s) }

// itoa formats a protoc version number.
func itoa(n int32) string { return strconv.Itoa(int(n)) }
