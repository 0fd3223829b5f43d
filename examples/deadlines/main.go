// Command deadlines shows a client deadline travelling with its call: the server reads
// its remaining time (actorrpc.RemainingTime) and stops early rather than start work it
// cannot finish, and both sides end with DEADLINE_EXCEEDED. Then a frontend passes its
// handler's ctx to a second call, so the backend inherits the client's deadline.
//
//	go run ./examples/deadlines
//
// prints
//
//	client -> backend, 500ms deadline:
//	  backend: has a deadline: true, at most 500ms left: true
//	  backend: less than one 200ms step left after 2 steps: stopping early
//	  client: DEADLINE_EXCEEDED
//	client -> frontend -> backend, 500ms deadline:
//	  frontend: has a deadline: true, at most 500ms left: true
//	  backend: has a deadline: true, at most 500ms left: true
//	  backend: less than one 200ms step left after 2 steps: stopping early
//	  frontend: the backend call ended: DEADLINE_EXCEEDED
//	  client: DEADLINE_EXCEEDED
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

const (
	// clientTimeout is the deadline the client gives each call.
	clientTimeout = 500 * time.Millisecond
	// step is one unit of the backend's work; the whole job is steps of them.
	step  = 200 * time.Millisecond
	steps = 10
)

// backend does slow work in steps and stops as soon as the next step would overrun the
// call's deadline. It reports what it sees on events.
type backend struct {
	hellopb.UnimplementedHelloServiceServer
	events chan<- string
}

// SayHello does the work, or fails with DEADLINE_EXCEEDED when time runs short.
func (b backend) SayHello(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	reportDeadline(ctx, "backend", b.events)
	for done := range steps {
		if left, ok := actorrpc.RemainingTime(ctx); ok && left < step {
			b.events <- fmt.Sprintf("backend: less than one %v step left after %d steps: stopping early", step, done)
			return nil, actorrpc.Errorf(actorrpc.DeadlineExceeded, "backend stopped early: less than %v left", step)
		}
		select {
		case <-time.After(step): // one step of simulated work
		case <-ctx.Done():
			return nil, actorrpc.StatusOf(ctx.Err()).Err()
		}
	}
	return &hellopb.HelloResponse{Reply: "done: " + req.GetGreeting()}, nil
}

// frontend answers by calling the backend with its own handler's ctx: the deadline of
// the incoming call becomes the deadline of the outgoing one.
type frontend struct {
	hellopb.UnimplementedHelloServiceServer
	backend hellopb.HelloServiceClient
	events  chan<- string
}

// SayHello relays the request to the backend.
func (f frontend) SayHello(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	reportDeadline(ctx, "frontend", f.events)
	resp, err := f.backend.SayHello(ctx, req)
	f.events <- fmt.Sprintf("frontend: the backend call ended: %s", actorrpc.CodeOf(err))
	return resp, err
}

// reportDeadline reports whether ctx has a deadline no later than the client's.
func reportDeadline(ctx context.Context, who string, events chan<- string) {
	left, ok := actorrpc.RemainingTime(ctx)
	events <- fmt.Sprintf("%s: has a deadline: %v, at most %v left: %v", who, ok, clientTimeout, ok && left <= clientTimeout)
}

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	events := make(chan string, 10)
	backendCh, stopBackend, err := serve(func(srv *actorrpc.Server) {
		hellopb.RegisterHelloServiceServer(srv, backend{events: events})
	})
	if err != nil {
		return err
	}
	defer stopBackend()
	frontendCh, stopFrontend, err := serve(func(srv *actorrpc.Server) {
		hellopb.RegisterHelloServiceServer(srv, frontend{backend: hellopb.NewHelloServiceClient(backendCh), events: events})
	})
	if err != nil {
		return err
	}
	defer stopFrontend()

	fmt.Printf("client -> backend, %v deadline:\n", clientTimeout)
	call(hellopb.NewHelloServiceClient(backendCh), events, 2)
	fmt.Printf("client -> frontend -> backend, %v deadline:\n", clientTimeout)
	call(hellopb.NewHelloServiceClient(frontendCh), events, 4)
	return nil
}

// call makes one call with the client deadline, then prints the n events the servers
// reported and how the call ended.
func call(client hellopb.HelloServiceClient, events <-chan string, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	_, err := client.SayHello(ctx, &hellopb.HelloRequest{Greeting: "job"})
	for range n {
		fmt.Println(" ", <-events)
	}
	fmt.Println("  client:", actorrpc.CodeOf(err))
}

// serve starts a server with the services register adds, on a loopback port, and returns
// a channel to it; stop closes both.
func serve(register func(*actorrpc.Server)) (ch *actorrpc.Channel, stop func(), err error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := actorrpc.NewServer()
	register(srv)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	stopServer := func() {
		srv.Stop()
		<-served
	}
	if ch, err = actorrpc.Dial(lis.Addr().String()); err != nil {
		stopServer()
		return nil, nil, err
	}
	return ch, func() {
		_ = ch.Close()
		stopServer()
	}, nil
}
