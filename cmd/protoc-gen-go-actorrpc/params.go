package main

import (
	"flag"
	"fmt"
)

// params are the plugin's own parameters, passed as --go-actorrpc_opt=name=value.
// protogen handles the standard ones (paths, module, M...) itself.
type params struct {
	// skipStreaming leaves the streaming methods of services out.
	skipStreaming bool
}

// flagSet returns a flag set whose Set method, used as protogen.Options.ParamFunc,
// writes the parameters into p.
func (p *params) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet(pluginName, flag.ContinueOnError)
	fs.BoolVar(&p.skipStreaming, "skip_streaming", false,
		"leave streaming methods out and generate only the unary ones")
	return fs
}

// setter returns the protogen.Options.ParamFunc that sets p: its flag set's Set, with
// errors that name the parameter.
func (p *params) setter() func(name, value string) error {
	fs := p.flagSet()
	return func(name, value string) error {
		if err := fs.Set(name, value); err != nil {
			return fmt.Errorf("parameter %s=%s: %w", name, value, err)
		}
		return nil
	}
}
