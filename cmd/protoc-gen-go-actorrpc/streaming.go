package main

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/compiler/protogen"
)

// streamingError returns an error naming every streaming method in the files to
// generate, or nil if there is none. The runtime does not support streaming yet.
func streamingError(gen *protogen.Plugin) error {
	var names []string
	for _, f := range gen.Files {
		if !f.Generate {
			continue
		}
		for _, s := range f.Services {
			for _, m := range s.Methods {
				if isStreaming(m) {
					names = append(names, string(m.Desc.FullName()))
				}
			}
		}
	}
	switch len(names) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s: %s is a streaming method; %s", pluginName, names[0], streamingHint)
	default:
		return fmt.Errorf("%s: %s are streaming methods; %s", pluginName, strings.Join(names, ", "), streamingHint)
	}
}

// streamingHint ends the streaming error with the way out.
const streamingHint = "streaming is not supported yet (use option skip_streaming=true to generate the unary methods only)"
