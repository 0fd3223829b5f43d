// Command channelstate watches a channel's connectivity state while its server stops and
// starts again on the same address: IDLE → CONNECTING → READY, then IDLE when the
// connection is lost, CONNECTING ⇄ TRANSIENT_FAILURE while the server is down, and READY
// once it is back. A call made with WaitForReady waits through the outage; a call made
// without it fails fast with UNAVAILABLE.
//
// An actor subscribed with Channel.Subscribe receives every transition as a message.
// How many CONNECTING ⇄ TRANSIENT_FAILURE rounds an outage takes depends on timing, so
// the actor passes each kind of transition on once per outage.
//
//	go run ./examples/channelstate
//
// prints
//
//	state: IDLE
//	Connect()
//	state: CONNECTING
//	state: READY
//	the server stops
//	state: IDLE
//	a call with WaitForReady starts
//	state: CONNECTING
//	state: TRANSIENT_FAILURE
//	a call without WaitForReady: UNAVAILABLE
//	the server starts again on the same address
//	state: CONNECTING
//	state: READY
//	the call with WaitForReady: Hello, again!
package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// greeter answers SayHello.
type greeter struct {
	hellopb.UnimplementedHelloServiceServer
}

// SayHello greets.
func (greeter) SayHello(_ context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
}

// transition is one change of state.
type transition struct{ from, to actorrpc.State }

// watcher is the actor subscribed to the channel. It passes each transition on to
// states, once per kind between two READYs. Its set is its own: no lock.
type watcher struct {
	seen   map[transition]bool
	states chan<- actorrpc.State
}

// Receive handles the channel's *actorrpc.StateChanged messages.
func (w *watcher) Receive(c actor.Context) {
	m, ok := c.Message().(*actorrpc.StateChanged)
	if !ok {
		return
	}
	t := transition{m.From, m.To}
	if w.seen[t] {
		return
	}
	w.seen[t] = true
	if m.To == actorrpc.Ready {
		clear(w.seen)
	}
	w.states <- m.To
}

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := lis.Addr().String()
	stop := serve(lis)

	quiet := slog.New(slog.DiscardHandler) // failed dials are expected here
	ch, err := actorrpc.Dial(addr, actorrpc.WithLogger(quiet),
		actorrpc.WithBackoff(20*time.Millisecond, 100*time.Millisecond, 1.6, 0, time.Second))
	if err != nil {
		stop()
		return err
	}
	defer ch.Close()
	states := watch(ch)
	defer states.stop()
	client := hellopb.NewHelloServiceClient(ch)

	states.expect(ctx, actorrpc.Idle) // the first message is the current state
	fmt.Println("Connect()")
	ch.Connect()
	states.expect(ctx, actorrpc.Connecting, actorrpc.Ready)

	fmt.Println("the server stops")
	stop()
	states.expect(ctx, actorrpc.Idle)

	fmt.Println("a call with WaitForReady starts")
	waiting := client.SayHelloAsync(ctx, &hellopb.HelloRequest{Greeting: "again"}, actorrpc.WaitForReady(true))
	states.expect(ctx, actorrpc.Connecting, actorrpc.TransientFailure)
	_, err = client.SayHello(ctx, &hellopb.HelloRequest{Greeting: "now"})
	fmt.Println("a call without WaitForReady:", actorrpc.CodeOf(err))

	fmt.Println("the server starts again on the same address")
	if lis, err = net.Listen("tcp", addr); err != nil {
		return err
	}
	restarted := serve(lis)
	defer restarted()
	states.expect(ctx, actorrpc.Connecting, actorrpc.Ready)
	resp, err := waiting.Await(ctx)
	if err != nil {
		return err
	}
	fmt.Println("the call with WaitForReady:", resp.GetReply())
	return nil
}

// serve serves greeter on lis until stop is called.
func serve(lis net.Listener) (stop func()) {
	srv := actorrpc.NewServer()
	hellopb.RegisterHelloServiceServer(srv, greeter{})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	return func() {
		srv.Stop()
		<-served
	}
}

// stateLog is the receiving end of a watcher.
type stateLog struct {
	ch     *actorrpc.Channel
	pid    *actor.PID
	states <-chan actorrpc.State
}

// watch subscribes a new watcher actor to ch.
func watch(ch *actorrpc.Channel) *stateLog {
	states := make(chan actorrpc.State, 32)
	pid := ch.ActorSystem().Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &watcher{seen: map[transition]bool{}, states: states}
	}))
	ch.Subscribe(pid)
	return &stateLog{ch: ch, pid: pid, states: states}
}

// expect prints the next states the watcher passes on, which must be want.
func (l *stateLog) expect(ctx context.Context, want ...actorrpc.State) {
	for _, w := range want {
		select {
		case got := <-l.states:
			fmt.Println("state:", got)
			if got != w {
				fmt.Println("  (expected", w, "here)")
			}
		case <-ctx.Done():
			fmt.Println("timed out waiting for", w)
			return
		}
	}
}

// stop unsubscribes and stops the watcher.
func (l *stateLog) stop() {
	l.ch.Unsubscribe(l.pid)
	_ = l.ch.ActorSystem().Root.StopFuture(l.pid).Wait()
}
