package actorrpc_test

import (
	"context"
	"fmt"
	"log"
	"net"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// moody serves HelloService by message and panics when greeted with "panic".
type moody struct{}

func (moody) Receive(ctx actor.Context) {
	if call, ok := ctx.Message().(*actorrpc.UnaryCall); ok {
		if call.Request.(*hellopb.HelloRequest).GetGreeting() == "panic" {
			panic("moody actor")
		}
		call.Respond(ctx, &hellopb.HelloResponse{Reply: "fine"})
	}
}

func ExampleEndCallOnPanic() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := actorrpc.NewServer()
	// The actor's guardian ends the call it was handling when it panics, then restarts it.
	pid := srv.ActorSystem().Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return moody{} },
		actor.WithGuardian(actorrpc.EndCallOnPanic(nil))))
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
	for _, greeting := range []string{"panic", "hello"} {
		resp, err := client.SayHello(context.Background(), &hellopb.HelloRequest{Greeting: greeting})
		st := actorrpc.StatusOf(err)
		fmt.Printf("%s: %q %s %q\n", greeting, resp.GetReply(), st.Code(), st.Message())
	}
	// Output:
	// panic: "" INTERNAL "grpc: actor handler panicked: moody actor"
	// hello: "fine" OK ""
}
