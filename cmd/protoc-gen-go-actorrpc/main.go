package main

import (
	"flag"
	"fmt"
	"os"

	"google.golang.org/protobuf/compiler/protogen"
)

// version is the plugin's version, written into the header of every generated file.
const version = "0.1.0"

// pluginName prefixes the plugin's errors.
const pluginName = "protoc-gen-go-actorrpc"

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Fprintf(os.Stdout, "%s v%s\n", pluginName, version)
		return
	}
	var p params
	protogen.Options{ParamFunc: p.setter()}.Run(func(gen *protogen.Plugin) error {
		generate(gen, p)
		return nil
	})
}
