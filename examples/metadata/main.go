// Command metadata sends metadata both ways, as text and as binary ("-bin" keys, raw
// bytes that travel base64-encoded): the client's request metadata, then the server's
// initial (header) and trailing metadata, on a unary call and on a server stream.
//
//	go run ./examples/metadata
//
// prints
//
//	unary:
//	  server got: user=alice trace-bin=0001feff
//	  client got header: served-by=greeter shard-bin=0a0b
//	  client got trailer: cost=3 checksum-bin=dead
//	stream:
//	  server got: user=bob trace-bin=cafe
//	  client got header before any message: served-by=streamer shard-bin=0c0d
//	  client got: Hello #1, bob!
//	  client got: Hello #2, bob!
//	  client got trailer: cost=2 checksum-bin=beef
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// greeter reads the caller's metadata and answers with its own.
type greeter struct {
	hellopb.UnimplementedHelloServiceServer
}

// SayHello sets header and trailer metadata with the package functions on its ctx.
func (greeter) SayHello(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	printIncoming(actorrpc.Incoming(ctx))
	if err := actorrpc.SetHeader(ctx, actorrpc.Pairs("served-by", "greeter", "shard-bin", "\x0a\x0b")); err != nil {
		return nil, err
	}
	if err := actorrpc.SetTrailer(ctx, actorrpc.Pairs("cost", "3", "checksum-bin", "\xde\xad")); err != nil {
		return nil, err
	}
	return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
}

// LotsOfReplies sends its header at once, before any message, and a trailer at the end.
func (greeter) LotsOfReplies(req *hellopb.HelloRequest, stream hellopb.HelloService_LotsOfRepliesServer) error {
	printIncoming(actorrpc.Incoming(stream.Context()))
	if err := stream.SendHeader(actorrpc.Pairs("served-by", "streamer", "shard-bin", "\x0c\x0d")); err != nil {
		return err
	}
	for i := 1; i <= 2; i++ {
		if err := stream.Send(&hellopb.HelloResponse{Reply: fmt.Sprintf("Hello #%d, %s!", i, req.GetGreeting())}); err != nil {
			return err
		}
	}
	stream.SetTrailer(actorrpc.Pairs("cost", "2", "checksum-bin", "\xbe\xef"))
	return nil
}

// printIncoming prints the request metadata a handler got.
func printIncoming(md actorrpc.Metadata) {
	fmt.Printf("  server got: user=%s trace-bin=%x\n", first(md, "user"), first(md, "trace-bin"))
}

// printMD prints a response's header or trailer: one text and one binary key.
func printMD(what string, md actorrpc.Metadata, text, bin string) {
	fmt.Printf("  client got %s: %s=%s %s=%x\n", what, text, first(md, text), bin, first(md, bin))
}

// first returns the first value of key, or "".
func first(md actorrpc.Metadata, key string) string {
	if v := md[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := actorrpc.NewServer()
	hellopb.RegisterHelloServiceServer(srv, greeter{})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	defer func() {
		srv.Stop()
		<-served
	}()

	ch, err := actorrpc.Dial(lis.Addr().String())
	if err != nil {
		return err
	}
	defer ch.Close()
	client := hellopb.NewHelloServiceClient(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := unary(ctx, client); err != nil {
		return err
	}
	return serverStream(ctx, client)
}

// unary sends metadata with AppendOutgoing and collects the response's with the Header
// and Trailer call options.
func unary(ctx context.Context, client hellopb.HelloServiceClient) error {
	fmt.Println("unary:")
	ctx = actorrpc.AppendOutgoing(ctx, "user", "alice", "trace-bin", "\x00\x01\xfe\xff")
	var header, trailer actorrpc.Metadata
	if _, err := client.SayHello(ctx, &hellopb.HelloRequest{Greeting: "alice"},
		actorrpc.Header(&header), actorrpc.Trailer(&trailer)); err != nil {
		return err
	}
	printMD("header", header, "served-by", "shard-bin")
	printMD("trailer", trailer, "cost", "checksum-bin")
	return nil
}

// serverStream reads a stream's header before its first message, and its trailer after the
// last.
func serverStream(ctx context.Context, client hellopb.HelloServiceClient) error {
	fmt.Println("stream:")
	ctx = actorrpc.NewOutgoingContext(ctx, actorrpc.Pairs("user", "bob", "trace-bin", "\xca\xfe"))
	stream, err := client.LotsOfReplies(ctx, &hellopb.HelloRequest{Greeting: "bob"})
	if err != nil {
		return err
	}
	header, err := stream.Header()
	if err != nil {
		return err
	}
	printMD("header before any message", header, "served-by", "shard-bin")
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		fmt.Println("  client got:", resp.GetReply())
	}
	printMD("trailer", stream.Trailer(), "cost", "checksum-bin")
	return nil
}
