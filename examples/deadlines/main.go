// Command deadlines shows a client deadline travelling with its call. The backend reads
// its remaining time (actorrpc.RemainingTime) and refuses a job it cannot finish in time,
// at once, with DEADLINE_EXCEEDED; a frontend passes its handler's ctx to a second call,
// so the backend inherits the client's deadline; and a handler that ignores the deadline
// sees its ctx end when the deadline passes, while the client gets DEADLINE_EXCEEDED.
//
//	go run ./examples/deadlines
//
// prints
//
//	client -> backend, 500ms deadline, a 1s job:
//	  backend: has a deadline: true, at most 500ms left: true
//	  backend: not enough time left for a 1s job: stopping early
//	  client: DEADLINE_EXCEEDED: backend stopped early: the job needs 1s
//	client -> frontend -> backend, 500ms deadline, a 1s job:
//	  frontend: has a deadline: true, at most 500ms left: true
//	  backend: has a deadline: true, at most 500ms left: true
//	  backend: not enough time left for a 1s job: stopping early
//	  frontend: the backend call ended: DEADLINE_EXCEEDED
//	  client: DEADLINE_EXCEEDED: backend stopped early: the job needs 1s
//	client -> backend, 500ms deadline, a 1s job the backend does not check:
//	  backend: has a deadline: true, at most 500ms left: true
//	  backend: the call's ctx ended before the job was done
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
	// job is how long the backend's work takes.
	job = time.Second
)

// backend does a slow job. Unless asked to be careless, it first checks that the call's
// deadline leaves time for the job. It reports what it sees on events.
type backend struct {
	hellopb.UnimplementedHelloServiceServer
	events chan<- string
}

// SayHello does the job, or fails with DEADLINE_EXCEEDED at once when time is short.
func (b backend) SayHello(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	reportDeadline(ctx, "backend", b.events)
	if left, ok := actorrpc.RemainingTime(ctx); ok && left < job && req.GetGreeting() != "careless" {
		b.events <- fmt.Sprintf("backend: not enough time left for a %v job: stopping early", job)
		return nil, actorrpc.Errorf(actorrpc.DeadlineExceeded, "backend stopped early: the job needs %v", job)
	}
	select {
	case <-time.After(job): // the simulated job
		return &hellopb.HelloResponse{Reply: "done: " + req.GetGreeting()}, nil
	case <-ctx.Done():
		// ctx.Err() is DeadlineExceeded, or Canceled if the client's reset at its own
		// deadline arrives first: either way the call is over.
		b.events <- "backend: the call's ctx ended before the job was done"
		return nil, actorrpc.StatusOf(ctx.Err()).Err()
	}
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

	backendClient := hellopb.NewHelloServiceClient(backendCh)
	fmt.Printf("client -> backend, %v deadline, a %v job:\n", clientTimeout, job)
	call(backendClient, "job", events, 2, true)
	fmt.Printf("client -> frontend -> backend, %v deadline, a %v job:\n", clientTimeout, job)
	call(hellopb.NewHelloServiceClient(frontendCh), "job", events, 4, true)
	fmt.Printf("client -> backend, %v deadline, a %v job the backend does not check:\n", clientTimeout, job)
	call(backendClient, "careless", events, 2, false)
	return nil
}

// call makes one call with the client deadline, then prints the n events the servers
// reported and how the call ended (with the status message if withMessage).
func call(client hellopb.HelloServiceClient, greeting string, events <-chan string, n int, withMessage bool) {
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	_, err := client.SayHello(ctx, &hellopb.HelloRequest{Greeting: greeting})
	for range n {
		select {
		case ev := <-events:
			fmt.Println(" ", ev)
		case <-time.After(10 * time.Second):
			fmt.Println("  (an event is missing)")
		}
	}
	if withMessage {
		fmt.Printf("  client: %s: %s\n", actorrpc.CodeOf(err), actorrpc.StatusOf(err).Message())
		return
	}
	// Here the client's own timer and the server's may both end the call: the code is
	// DEADLINE_EXCEEDED either way, the message depends on which came first.
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
