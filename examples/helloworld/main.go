// Command helloworld starts an actorrpc server and calls each of HelloService's four
// methods: unary three ways (blocking, a future, the result piped to an actor), then
// server streaming, client streaming (with the response as a future) and bidirectional
// streaming.
//
//	go run ./examples/helloworld
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// greeter implements hellopb.HelloServiceServer with plain blocking methods.
type greeter struct {
	hellopb.UnimplementedHelloServiceServer
}

// SayHello answers one greeting.
func (greeter) SayHello(_ context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	if req.GetGreeting() == "" {
		return nil, actorrpc.Errorf(actorrpc.InvalidArgument, "greeting must not be empty")
	}
	return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
}

// LotsOfReplies answers one greeting three times.
func (greeter) LotsOfReplies(req *hellopb.HelloRequest, stream actorrpc.ServerStreamingServer[hellopb.HelloResponse]) error {
	for i := 1; i <= 3; i++ {
		if err := stream.Send(&hellopb.HelloResponse{Reply: fmt.Sprintf("Hello #%d, %s!", i, req.GetGreeting())}); err != nil {
			return err
		}
	}
	return nil
}

// LotsOfGreetings answers every greeting of the stream at once.
func (greeter) LotsOfGreetings(stream actorrpc.ClientStreamingServer[hellopb.HelloRequest, hellopb.HelloResponse]) error {
	var names []string
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return stream.SendAndClose(&hellopb.HelloResponse{Reply: "Hello, " + strings.Join(names, " and ") + "!"})
		}
		if err != nil {
			return err
		}
		names = append(names, req.GetGreeting())
	}
}

// BidiHello answers each greeting as it arrives.
func (greeter) BidiHello(stream actorrpc.BidiStreamingServer[hellopb.HelloRequest, hellopb.HelloResponse]) error {
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(&hellopb.HelloResponse{Reply: "Hi " + req.GetGreeting()}); err != nil {
			return err
		}
	}
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

	for _, step := range []func(context.Context, hellopb.HelloServiceClient, *actorrpc.Channel) error{
		unary, serverStreaming, clientStreaming, bidiStreaming,
	} {
		if err := step(ctx, client, ch); err != nil {
			return err
		}
	}
	return nil
}

// unary calls SayHello three ways, then shows an error status.
func unary(ctx context.Context, client hellopb.HelloServiceClient, ch *actorrpc.Channel) error {
	resp, err := client.SayHello(ctx, &hellopb.HelloRequest{Greeting: "blocking world"})
	if err != nil {
		return err
	}
	fmt.Println("unary, blocking:", resp.GetReply())

	future := client.SayHelloAsync(ctx, &hellopb.HelloRequest{Greeting: "future world"})
	if resp, err = future.Await(ctx); err != nil {
		return err
	}
	fmt.Println("unary, future:  ", resp.GetReply())

	got := make(chan string, 1)
	pid := ch.ActorSystem().Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if r, ok := c.Message().(*actorrpc.FutureResult[*hellopb.HelloResponse]); ok {
			got <- r.Value.GetReply()
		}
	}))
	defer ch.ActorSystem().Root.Stop(pid)
	client.SayHelloAsync(ctx, &hellopb.HelloRequest{Greeting: "actor world"}).PipeTo(pid)
	fmt.Println("unary, actor:   ", <-got)

	_, err = client.SayHello(ctx, &hellopb.HelloRequest{})
	fmt.Printf("unary, error:    %s: %s\n", actorrpc.CodeOf(err), actorrpc.StatusOf(err).Message())
	return nil
}

// serverStreaming reads LotsOfReplies until io.EOF.
func serverStreaming(ctx context.Context, client hellopb.HelloServiceClient, _ *actorrpc.Channel) error {
	stream, err := client.LotsOfReplies(ctx, &hellopb.HelloRequest{Greeting: "stream"})
	if err != nil {
		return err
	}
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Println("server streaming:", resp.GetReply())
	}
}

// clientStreaming sends three greetings and awaits the one reply as a future.
func clientStreaming(ctx context.Context, client hellopb.HelloServiceClient, _ *actorrpc.Channel) error {
	stream, err := client.LotsOfGreetings(ctx)
	if err != nil {
		return err
	}
	for _, name := range []string{"Ann", "Bob", "Cy"} {
		if err := stream.Send(&hellopb.HelloRequest{Greeting: name}); err != nil {
			return err
		}
	}
	resp, err := stream.CloseAndRecvAsync().Await(ctx)
	if err != nil {
		return err
	}
	fmt.Println("client streaming:", resp.GetReply())
	return nil
}

// bidiStreaming sends and receives on one stream from two goroutines.
func bidiStreaming(ctx context.Context, client hellopb.HelloServiceClient, _ *actorrpc.Channel) error {
	stream, err := client.BidiHello(ctx)
	if err != nil {
		return err
	}
	sent := make(chan error, 1)
	go func() {
		for _, g := range []string{"one", "two", "three"} {
			if err := stream.Send(&hellopb.HelloRequest{Greeting: g}); err != nil {
				sent <- err
				return
			}
		}
		sent <- stream.CloseSend()
	}()
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return <-sent
		}
		if err != nil {
			return err
		}
		fmt.Println("bidi streaming:  ", resp.GetReply())
	}
}
