// Command futures shows calls as futures: a fan-out of 100 calls awaited with one context,
// a hedged call that takes the first of three replicas and cancels the others, and
// results piped to an actor that aggregates them.
//
//	go run ./examples/futures
//
// prints
//
//	fan-out: started 100 calls without blocking
//	fan-out: 100 replies, each matching its request: true
//	hedging: first reply: Hello, hedge!
//	hedging: the slow replica's call ended: CANCELLED
//	hedging: the slow replica's handler stopped: context canceled
//	aggregator: 10 results: 8 OK, 2 INVALID_ARGUMENT
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// greeter answers SayHello after delay; a zero delay answers at once. When stopped is not
// nil, a call cut off by its caller reports the context's error there.
type greeter struct {
	hellopb.UnimplementedHelloServiceServer
	delay   time.Duration
	stopped chan<- error
}

// SayHello greets, or fails with INVALID_ARGUMENT on an empty greeting.
func (g greeter) SayHello(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	if req.GetGreeting() == "" {
		return nil, actorrpc.Errorf(actorrpc.InvalidArgument, "greeting must not be empty")
	}
	select {
	case <-time.After(g.delay): // a slow replica; inside a handler, waiting is the point
	case <-ctx.Done():
		if g.stopped != nil {
			g.stopped <- ctx.Err()
		}
		return nil, ctx.Err()
	}
	return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
}

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, stop, err := dialGreeter(greeter{})
	if err != nil {
		return err
	}
	defer stop()
	client := hellopb.NewHelloServiceClient(ch)
	if err := fanOut(ctx, client); err != nil {
		return err
	}
	if err := hedge(ctx); err != nil {
		return err
	}
	return aggregate(ctx, client, ch.ActorSystem())
}

// dialGreeter serves g on a loopback port and returns a channel to it; stop closes both.
func dialGreeter(g greeter) (ch *actorrpc.Channel, stop func(), err error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := actorrpc.NewServer()
	hellopb.RegisterHelloServiceServer(srv, g)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	ch, err = actorrpc.Dial(lis.Addr().String())
	if err != nil {
		srv.Stop()
		<-served
		return nil, nil, err
	}
	return ch, func() {
		_ = ch.Close()
		srv.Stop()
		<-served
	}, nil
}

// fanOut starts 100 calls without blocking, then awaits them all under the one ctx.
func fanOut(ctx context.Context, client hellopb.HelloServiceClient) error {
	futures := make([]*actorrpc.Future[*hellopb.HelloResponse], 100)
	for i := range futures {
		futures[i] = client.SayHelloAsync(ctx, &hellopb.HelloRequest{Greeting: fmt.Sprint(i)})
	}
	fmt.Println("fan-out: started", len(futures), "calls without blocking")
	matching := 0
	for i, f := range futures {
		resp, err := f.Await(ctx) // one deadline for the whole fan-out
		if err != nil {
			return err
		}
		if resp.GetReply() == fmt.Sprintf("Hello, %d!", i) {
			matching++
		}
	}
	fmt.Println("fan-out:", len(futures), "replies, each matching its request:", matching == len(futures))
	return nil
}

// hedge sends one request to three replicas, one of them slow, takes the first reply and
// cancels the calls still running.
func hedge(ctx context.Context) error {
	slowStopped := make(chan error, 1)
	replicas := []greeter{{delay: time.Minute, stopped: slowStopped}, {delay: 50 * time.Millisecond}, {delay: 100 * time.Millisecond}}
	clients := make([]hellopb.HelloServiceClient, len(replicas))
	for i, g := range replicas {
		ch, stop, err := dialGreeter(g)
		if err != nil {
			return err
		}
		defer stop()
		if err := connect(ctx, ch); err != nil {
			return err
		}
		clients[i] = hellopb.NewHelloServiceClient(ch)
	}

	hedgeCtx, cancelHedge := context.WithCancel(ctx)
	futures := make([]*actorrpc.Future[*hellopb.HelloResponse], len(clients))
	for i, c := range clients {
		futures[i] = c.SayHelloAsync(hedgeCtx, &hellopb.HelloRequest{Greeting: "hedge"})
	}
	resp, err := first(ctx, futures)
	cancelHedge() // the losers end CANCELLED, on both sides
	if err != nil {
		return err
	}
	fmt.Println("hedging: first reply:", resp.GetReply())
	_, err = futures[0].Await(ctx)
	fmt.Println("hedging: the slow replica's call ended:", actorrpc.CodeOf(err))
	select {
	case err := <-slowStopped:
		fmt.Println("hedging: the slow replica's handler stopped:", err)
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the slow replica's handler never saw the cancellation: %w", ctx.Err())
	}
}

// connect makes ch connect and waits until it is READY, so that a hedged request reaches
// every replica at once.
func connect(ctx context.Context, ch *actorrpc.Channel) error {
	ch.Connect()
	for state := ch.State(); state != actorrpc.Ready; state = ch.State() {
		if !ch.WaitForStateChange(ctx, state) {
			return actorrpc.StatusOf(ctx.Err()).Err()
		}
	}
	return nil
}

// first returns the first successful result of futures, or the last error if all fail.
func first[T any](ctx context.Context, futures []*actorrpc.Future[T]) (T, error) {
	ended := make(chan *actorrpc.Future[T], len(futures))
	for _, f := range futures {
		go func() { <-f.Done(); ended <- f }() // each exits when its call ends
	}
	var zero T
	var err error
	for range futures {
		select {
		case f := <-ended:
			var v T
			if v, err = f.Result(); err == nil {
				return v, nil
			}
		case <-ctx.Done():
			return zero, actorrpc.StatusOf(ctx.Err()).Err()
		}
	}
	return zero, err
}

// tally aggregates piped results. Its counts are owned by the actor: no lock.
type tally struct {
	want  int
	codes map[actorrpc.Code]int
	done  chan<- string
}

// Receive counts each result by its status code and reports once all have arrived.
func (t *tally) Receive(c actor.Context) {
	r, ok := c.Message().(*actorrpc.FutureResult[*hellopb.HelloResponse])
	if !ok {
		return
	}
	t.codes[actorrpc.CodeOf(r.Err)]++
	if t.want--; t.want == 0 {
		t.done <- fmt.Sprintf("%d OK, %d INVALID_ARGUMENT", t.codes[actorrpc.OK], t.codes[actorrpc.InvalidArgument])
	}
}

// aggregate pipes ten results, two of them errors, to a tally actor. The actor lives in
// the channel's actor system, where the futures deliver their results.
func aggregate(ctx context.Context, client hellopb.HelloServiceClient, system *actor.ActorSystem) error {
	const calls = 10
	done := make(chan string, 1)
	root := system.Root
	pid := root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &tally{want: calls, codes: map[actorrpc.Code]int{}, done: done}
	}))
	defer func() { _ = root.StopFuture(pid).Wait() }()
	for i := range calls {
		greeting := fmt.Sprint(i)
		if i%5 == 4 {
			greeting = "" // fails with INVALID_ARGUMENT
		}
		client.SayHelloAsync(ctx, &hellopb.HelloRequest{Greeting: greeting}).PipeTo(pid)
	}
	select {
	case summary := <-done:
		fmt.Printf("aggregator: %d results: %s\n", calls, summary)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
