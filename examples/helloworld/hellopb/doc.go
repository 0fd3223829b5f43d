// Package hellopb holds the messages, client and server of the helloworld example's
// HelloService, generated from hello.proto by protoc-gen-go and protoc-gen-go-actorrpc.
// Run go generate to regenerate them.
package hellopb
