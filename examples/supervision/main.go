// Command supervision shows what a panicking handler costs: only its own call. The call
// ends INTERNAL, the calls running next to it succeed, the connection stays READY, and
// the server's actor system publishes a *supervisor.Failure event that carries the panic
// value and the handler's stack.
//
//	go run ./examples/supervision
//
// prints
//
//	10 concurrent calls, 2 of them panic:
//	  8 OK
//	  2 INTERNAL: grpc: handler panicked: handler exploded
//	failure events: 2
//	  panic value: handler exploded
//	  the stack names the handler: true
//	channel state after the panics: READY
//	a call after the panics: Hello, again!
package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/supervisor"
)

// greeter panics when asked to.
type greeter struct {
	hellopb.UnimplementedHelloServiceServer
}

// SayHello greets, or panics on the greeting "panic".
func (greeter) SayHello(_ context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	if req.GetGreeting() == "panic" {
		panic("handler exploded")
	}
	return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
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
	// The server runs in an actor system of its own, so the program can subscribe to its
	// events; the failures are logged too, and this program does not want them on stderr.
	system := actors.NewSystem()
	failures := make(chan *supervisor.Failure, 10)
	sub := system.EventStream.Subscribe(func(ev any) {
		if f, ok := ev.(*supervisor.Failure); ok {
			failures <- f
		}
	})
	defer system.EventStream.Unsubscribe(sub)
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(system), actorrpc.WithLogger(slog.New(slog.DiscardHandler)))
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	panics := concurrentCalls(ctx, client)
	printFailures(ctx, failures, panics)
	fmt.Println("channel state after the panics:", ch.State())
	resp, err := client.SayHello(ctx, &hellopb.HelloRequest{Greeting: "again"})
	if err != nil {
		return err
	}
	fmt.Println("a call after the panics:", resp.GetReply())
	return nil
}

// concurrentCalls makes ten calls at once, every fifth one panicking, and prints how they
// ended. It returns how many panicked.
func concurrentCalls(ctx context.Context, client hellopb.HelloServiceClient) (panics int) {
	const calls = 10
	futures := make([]*actorrpc.Future[*hellopb.HelloResponse], calls)
	for i := range futures {
		greeting := fmt.Sprint("caller ", i)
		if i%5 == 4 {
			greeting, panics = "panic", panics+1
		}
		futures[i] = client.SayHelloAsync(ctx, &hellopb.HelloRequest{Greeting: greeting})
	}
	fmt.Printf("%d concurrent calls, %d of them panic:\n", calls, panics)
	ended := map[string]int{}
	var order []string
	for _, f := range futures {
		_, err := f.Await(ctx)
		outcome := actorrpc.CodeOf(err).String()
		if err != nil {
			outcome += ": " + actorrpc.StatusOf(err).Message()
		}
		if ended[outcome] == 0 {
			order = append(order, outcome)
		}
		ended[outcome]++
	}
	for _, outcome := range order {
		fmt.Printf("  %d %s\n", ended[outcome], outcome)
	}
	return panics
}

// printFailures waits for the n failure events the panics published and describes them.
func printFailures(ctx context.Context, failures <-chan *supervisor.Failure, n int) {
	var got []*supervisor.Failure
	for len(got) < n {
		select {
		case f := <-failures:
			got = append(got, f)
		case <-ctx.Done():
			fmt.Println("failure events: missing:", ctx.Err())
			return
		}
	}
	fmt.Println("failure events:", len(got))
	// Each names the call actor that failed (f.Child), which its supervisor stopped.
	f := got[0]
	fmt.Println("  panic value:", f.Reason.Value)
	fmt.Println("  the stack names the handler:", strings.Contains(string(f.Reason.Stack), "main.greeter.SayHello"))
}
