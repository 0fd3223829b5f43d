// Command simulation injects network faults between a client and a service of your own,
// with no sockets: the server listens on memnet, the in-memory faulty network of
// ../../simulations, and the channel dials through it. A partition holds the bytes (the
// call runs into its deadline), a reset with refused dials fails the call fast, and after
// each heal the next call succeeds. sim_test.go runs the same faults inside a
// testing/synctest bubble, where the deadlines and backoff take no real time.
//
//	go run ./examples/simulation
//
// prints
//
//	healthy:              Hello, sim!
//	partitioned:          DEADLINE_EXCEEDED
//	healed:               Hello, sim!
//	reset, dials refused: UNAVAILABLE
//	dials accepted:       Hello, sim!
package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/simulations/memnet"
)

// addr is where the service listens on the in-memory network; clientName names the
// dialing side, so that (clientName, addr) is the link the faults apply to.
const (
	addr       = "greeter:443"
	clientName = "app"
)

// greeter is the service under test.
type greeter struct {
	hellopb.UnimplementedHelloServiceServer
}

// SayHello answers one greeting.
func (greeter) SayHello(_ context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
}

// quiet drops the runtime's log lines about the connections the faults break.
var quiet = slog.New(slog.DiscardHandler)

// start serves greeter at addr on n and dials it from clientName, each in an actor system
// of its own (so that, in a synctest bubble, everything runs on the bubble's clock). stop
// closes the channel and the server.
func start(n *memnet.Network) (client hellopb.HelloServiceClient, stop func(), err error) {
	lis, err := n.Listen(addr)
	if err != nil {
		return nil, nil, err
	}
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()), actorrpc.WithLogger(quiet))
	hellopb.RegisterHelloServiceServer(srv, greeter{})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	ch, err := actorrpc.Dial(addr,
		actorrpc.WithActorSystem(actors.NewSystem()),
		actorrpc.WithLogger(quiet),
		actorrpc.WithContextDialer(n.Dialer(clientName)),
		actorrpc.WithBackoff(50*time.Millisecond, 500*time.Millisecond, 1.6, 0, time.Second),
	)
	if err != nil {
		srv.Stop()
		<-served
		return nil, nil, err
	}
	stop = func() {
		_ = ch.Close()
		srv.Stop()
		<-served
	}
	return hellopb.NewHelloServiceClient(ch), stop, nil
}

// hello makes one call with a timeout and returns the reply, or the status code's name.
func hello(client hellopb.HelloServiceClient, timeout time.Duration, opts ...actorrpc.CallOption) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	resp, err := client.SayHello(ctx, &hellopb.HelloRequest{Greeting: "sim"}, opts...)
	if err != nil {
		return actorrpc.CodeOf(err).String(), err
	}
	return resp.GetReply(), nil
}

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	n := memnet.New(rand.New(rand.NewPCG(1, 2))) // the seed of latency jitter, unused here
	client, stop, err := start(n)
	if err != nil {
		return err
	}
	defer stop()

	steps := []struct {
		label string
		fault func()
		opts  []actorrpc.CallOption
	}{
		{"healthy", func() {}, nil},
		{"partitioned", func() { n.Partition(clientName, addr) }, nil}, // bytes held, connection open
		{"healed", func() { n.Heal(clientName, addr) }, nil},
		{"reset, dials refused", func() {
			n.RefuseDials(clientName, addr, true)
			n.Reset(clientName, addr) // ECONNRESET on both ends
		}, nil},
		{"dials accepted", func() { n.RefuseDials(clientName, addr, false) }, []actorrpc.CallOption{actorrpc.WaitForReady(true)}},
	}
	for _, s := range steps {
		s.fault()
		got, _ := hello(client, 300*time.Millisecond, s.opts...) // the reply, or the code
		fmt.Printf("%-21s %s\n", s.label+":", got)
	}
	return nil
}
