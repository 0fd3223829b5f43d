// Command cancellation shows a client cancelling calls in flight: a server stream after
// three replies, and a unary call started as a future. Each server handler sees its ctx
// done and stops, and the client's side ends CANCELLED.
//
//	go run ./examples/cancellation
//
// prints
//
//	stream: got Reply 1
//	stream: got Reply 2
//	stream: got Reply 3
//	stream: the client cancels
//	stream: the server handler saw ctx.Done: context canceled
//	stream: the client's Recv ended: CANCELLED
//	unary: the server handler started
//	unary: the client cancels
//	unary: the server handler saw ctx.Done: context canceled
//	unary: the future ended: CANCELLED
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// endless serves streams and calls that never end on their own: they stop only when the
// client cancels. It reports what its handlers see on events.
type endless struct {
	hellopb.UnimplementedHelloServiceServer
	events chan<- string
}

// LotsOfReplies sends a reply every 10ms until the call's ctx is done.
func (e endless) LotsOfReplies(_ *hellopb.HelloRequest, stream hellopb.HelloService_LotsOfRepliesServer) error {
	ctx := stream.Context()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			e.events <- "the server handler saw ctx.Done: " + ctx.Err().Error()
			return ctx.Err()
		case <-tick.C:
		}
		if err := stream.Send(&hellopb.HelloResponse{Reply: fmt.Sprintf("Reply %d", n)}); err != nil {
			<-ctx.Done() // a failed Send means the call has ended; its ctx follows
			e.events <- "the server handler saw ctx.Done: " + ctx.Err().Error()
			return err
		}
	}
}

// SayHello waits until the call's ctx is done.
func (e endless) SayHello(ctx context.Context, _ *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	e.events <- "the server handler started"
	<-ctx.Done()
	e.events <- "the server handler saw ctx.Done: " + ctx.Err().Error()
	return nil, ctx.Err()
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
	events := make(chan string, 10)
	srv := actorrpc.NewServer()
	hellopb.RegisterHelloServiceServer(srv, endless{events: events})
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
	if err := cancelStream(client, events); err != nil {
		return err
	}
	cancelFuture(client, events)
	return nil
}

// cancelStream reads three replies of an endless stream, then cancels it.
func cancelStream(client hellopb.HelloServiceClient, events <-chan string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := client.LotsOfReplies(ctx, &hellopb.HelloRequest{Greeting: "more"})
	if err != nil {
		return err
	}
	for range 3 {
		resp, err := stream.Recv()
		if err != nil {
			return err
		}
		fmt.Println("stream: got", resp.GetReply())
	}
	fmt.Println("stream: the client cancels")
	cancel()
	fmt.Println("stream:", <-events)
	for { // replies already on their way are still delivered, then the end
		if _, err = stream.Recv(); err != nil {
			break
		}
	}
	fmt.Println("stream: the client's Recv ended:", actorrpc.CodeOf(err))
	return nil
}

// cancelFuture starts a call as a future and cancels it once the handler runs.
func cancelFuture(client hellopb.HelloServiceClient, events <-chan string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	future := client.SayHelloAsync(ctx, &hellopb.HelloRequest{Greeting: "wait"})
	fmt.Println("unary:", <-events)
	fmt.Println("unary: the client cancels")
	cancel()
	fmt.Println("unary:", <-events)
	_, err := future.Await(context.Background())
	fmt.Println("unary: the future ended:", actorrpc.CodeOf(err))
}
