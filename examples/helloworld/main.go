// Command helloworld starts an actorrpc server and calls it three ways: blocking, with a
// future, and with the result piped to an actor.
//
//	go run ./examples/helloworld
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// greeter implements hellopb.HelloServiceServer with a plain blocking method.
type greeter struct {
	hellopb.UnimplementedHelloServiceServer
}

func (greeter) SayHello(_ context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	if req.GetName() == "" {
		return nil, actorrpc.Errorf(actorrpc.InvalidArgument, "name must not be empty")
	}
	return &hellopb.HelloResponse{Message: "Hello, " + req.GetName() + "!"}, nil
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
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.GracefulStop(ctx)
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

	// 1. Blocking.
	resp, err := client.SayHello(ctx, &hellopb.HelloRequest{Name: "blocking world"})
	if err != nil {
		return err
	}
	fmt.Println(resp.GetMessage())

	// 2. A future: start the call, do other work, await later.
	future := client.SayHelloAsync(ctx, &hellopb.HelloRequest{Name: "future world"})
	resp, err = future.Await(ctx)
	if err != nil {
		return err
	}
	fmt.Println(resp.GetMessage())

	// 3. Piped to an actor: the result arrives as a message.
	got := make(chan string, 1)
	pid := ch.ActorSystem().Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if r, ok := c.Message().(*actorrpc.FutureResult[*hellopb.HelloResponse]); ok {
			got <- r.Value.GetMessage()
		}
	}))
	defer ch.ActorSystem().Root.Stop(pid)
	client.SayHelloAsync(ctx, &hellopb.HelloRequest{Name: "actor world"}).PipeTo(pid)
	fmt.Println(<-got)

	// Errors carry a status code.
	_, err = client.SayHello(ctx, &hellopb.HelloRequest{})
	fmt.Fprintf(os.Stdout, "empty name: %s: %s\n", actorrpc.CodeOf(err), actorrpc.StatusOf(err).Message())
	return nil
}
