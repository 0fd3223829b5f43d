package actorrpc_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// greeter serves HelloService with a plain blocking method.
type greeter struct {
	hellopb.UnimplementedHelloServiceServer
}

func (greeter) SayHello(_ context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	if req.GetGreeting() == "" {
		st, err := actorrpc.NewStatus(actorrpc.InvalidArgument, "name is required").
			WithDetails(wrapperspb.String("set HelloRequest.name"))
		if err != nil {
			return nil, err
		}
		return nil, st.Err()
	}
	return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
}

// serveExample serves impl on a loopback port, with opts, and returns a client of it;
// stop closes the client and the server.
func serveExample(impl hellopb.HelloServiceServer, opts ...actorrpc.ServerOption) (client hellopb.HelloServiceClient, ch *actorrpc.Channel, stop func()) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := actorrpc.NewServer(opts...)
	hellopb.RegisterHelloServiceServer(srv, impl)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	ch, err = actorrpc.Dial(lis.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	return hellopb.NewHelloServiceClient(ch), ch, func() {
		_ = ch.Close()
		srv.Stop()
		<-served
	}
}

func ExampleDial() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := actorrpc.NewServer()
	hellopb.RegisterHelloServiceServer(srv, greeter{})
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	// Dial returns at once; the channel connects on its first call.
	ch, err := actorrpc.Dial(lis.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer ch.Close()
	fmt.Println("after Dial:", ch.State())

	client := hellopb.NewHelloServiceClient(ch)
	resp, err := client.SayHello(context.Background(), &hellopb.HelloRequest{Greeting: "world"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.GetReply())
	fmt.Println("after a call:", ch.State())
	// Output:
	// after Dial: IDLE
	// Hello, world!
	// after a call: READY
}

func ExampleNewServer() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := actorrpc.NewServer()
	hellopb.RegisterHelloServiceServer(srv, greeter{})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()

	ch, err := actorrpc.Dial(lis.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer ch.Close()
	resp, err := hellopb.NewHelloServiceClient(ch).SayHello(context.Background(), &hellopb.HelloRequest{Greeting: "server"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.GetReply())

	// GracefulStop lets the calls in flight finish (for at most 5 s here); then Serve returns.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fmt.Println("GracefulStop:", srv.GracefulStop(ctx))
	fmt.Println("Serve:", <-served)
	// Output:
	// Hello, server!
	// GracefulStop: <nil>
	// Serve: <nil>
}

func ExampleFuture_Await() {
	client, _, stop := serveExample(greeter{})
	defer stop()
	ctx := context.Background()

	// The Async stub starts the call and returns at once.
	future := client.SayHelloAsync(ctx, &hellopb.HelloRequest{Greeting: "future"})
	// ... other work happens here while the call runs ...
	resp, err := future.Await(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.GetReply())
	// Output: Hello, future!
}

func ExampleFuture_PipeTo() {
	client, ch, stop := serveExample(greeter{})
	defer stop()

	// An actor receives the result as a message, like any other.
	done := make(chan struct{})
	props := actor.PropsFromFunc(func(c actor.Context) {
		if r, ok := c.Message().(*actorrpc.FutureResult[*hellopb.HelloResponse]); ok {
			fmt.Println("actor got:", r.Value.GetReply(), r.Err)
			close(done)
		}
	})
	system := ch.ActorSystem()
	pid := system.Root.Spawn(props)
	defer system.Root.Stop(pid)

	client.SayHelloAsync(context.Background(), &hellopb.HelloRequest{Greeting: "actor"}).PipeTo(pid)
	<-done
	// Output: actor got: Hello, actor! <nil>
}

func ExampleErrorf() {
	err := actorrpc.Errorf(actorrpc.NotFound, "no user %q", "bob")
	st := actorrpc.StatusOf(err)
	fmt.Println(st.Code(), st.Message())

	// Errors without a status read as one too.
	fmt.Println(actorrpc.CodeOf(nil), actorrpc.CodeOf(context.DeadlineExceeded), actorrpc.CodeOf(fmt.Errorf("disk full")))
	// Output:
	// NOT_FOUND no user "bob"
	// OK DEADLINE_EXCEEDED UNKNOWN
}

func ExampleStatusOf() {
	client, _, stop := serveExample(greeter{})
	defer stop()

	// greeter answers an empty name with INVALID_ARGUMENT and a detail (see WithDetails).
	_, err := client.SayHello(context.Background(), &hellopb.HelloRequest{})
	st := actorrpc.StatusOf(err)
	fmt.Println(st.Code(), st.Message())
	for _, d := range st.Details() {
		m, err := d.UnmarshalNew()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("detail: %T %q\n", m, m.(*wrapperspb.StringValue).GetValue())
	}
	// Output:
	// INVALID_ARGUMENT name is required
	// detail: *wrapperspb.StringValue "set HelloRequest.name"
}

func ExamplePairs() {
	md := actorrpc.Pairs("User", "alice", "role", "admin", "role", "ops")
	fmt.Println(md["user"], md["role"])
	// Output: [alice] [admin ops]
}

func ExampleAppendOutgoing() {
	// The handler reads the caller's metadata with Incoming.
	client, _, stop := serveExample(helloServer{fn: func(ctx context.Context, _ *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		md := actorrpc.Incoming(ctx)
		return &hellopb.HelloResponse{Reply: fmt.Sprintf("Hello, %s (%s)!", md["user"][0], md["role"][0])}, nil
	}})
	defer stop()

	ctx := actorrpc.AppendOutgoing(context.Background(), "user", "alice")
	ctx = actorrpc.AppendOutgoing(ctx, "role", "admin")
	resp, err := client.SayHello(ctx, &hellopb.HelloRequest{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.GetReply())
	// Output: Hello, alice (admin)!
}

func ExampleSetHeader() {
	// The handler answers with header and trailer metadata.
	client, _, stop := serveExample(helloServer{fn: func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		if err := actorrpc.SetHeader(ctx, actorrpc.Pairs("served-by", "greeter")); err != nil {
			return nil, err
		}
		if err := actorrpc.SetTrailer(ctx, actorrpc.Pairs("cost", "1")); err != nil {
			return nil, err
		}
		return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
	}})
	defer stop()

	// The Header and Trailer call options collect them on the client.
	var header, trailer actorrpc.Metadata
	_, err := client.SayHello(context.Background(), &hellopb.HelloRequest{Greeting: "bob"},
		actorrpc.Header(&header), actorrpc.Trailer(&trailer))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("served-by:", header["served-by"], "cost:", trailer["cost"])
	// Output: served-by: [greeter] cost: [1]
}

func ExampleRemainingTime() {
	client, _, stop := serveExample(helloServer{fn: func(ctx context.Context, _ *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		left, ok := actorrpc.RemainingTime(ctx)
		fmt.Println("handler: deadline:", ok, "at most 1s left:", ok && left > 0 && left <= time.Second)
		return &hellopb.HelloResponse{}, nil
	}})
	defer stop()

	// The caller's deadline travels with the call (as grpc-timeout).
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := client.SayHello(ctx, &hellopb.HelloRequest{}); err != nil {
		log.Fatal(err)
	}
	if _, err := client.SayHello(context.Background(), &hellopb.HelloRequest{}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// handler: deadline: true at most 1s left: true
	// handler: deadline: false at most 1s left: false
}

// counter serves HelloService by message: it owns its count, with no lock.
type counter struct{ calls int }

func (c *counter) Receive(ctx actor.Context) {
	if call, ok := ctx.Message().(*actorrpc.UnaryCall); ok {
		c.calls++
		req := call.Request.(*hellopb.HelloRequest)
		call.Respond(ctx, &hellopb.HelloResponse{Reply: fmt.Sprintf("Hello, %s! You are caller %d.", req.GetGreeting(), c.calls)})
	}
}

func ExampleServer_RegisterActorService() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := actorrpc.NewServer()
	pid := srv.ActorSystem().Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &counter{} }))
	defer srv.ActorSystem().Root.Stop(pid)
	hellopb.RegisterHelloServiceActor(srv, pid)
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	ch, err := actorrpc.Dial(lis.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer ch.Close()
	client := hellopb.NewHelloServiceClient(ch)
	for _, name := range []string{"ann", "bob"} {
		resp, err := client.SayHello(context.Background(), &hellopb.HelloRequest{Greeting: name})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(resp.GetReply())
	}
	// Output:
	// Hello, ann! You are caller 1.
	// Hello, bob! You are caller 2.
}

// WithMaxFrameSize sets the SETTINGS_MAX_FRAME_SIZE a side announces: here a server that
// accepts frames of 16 KiB only, as grpc-go's does, while the channel keeps the default of
// 1 MiB. Each side sends a large message in frames as large as the other accepts.
func ExampleWithMaxFrameSize() {
	client, _, stop := serveExample(greeter{}, actorrpc.WithMaxFrameSize(16<<10))
	defer stop()
	name := strings.Repeat("n", 2<<20) // 2 MiB: 128 frames to the server, a few of up to 1 MiB back
	resp, err := client.SayHello(context.Background(), &hellopb.HelloRequest{Greeting: name})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(resp.GetReply()) == len("Hello, "+name+"!"))
	// Output: true
}
