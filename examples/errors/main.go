// Command errors shows how a server fails a call with a status (a code, a message and
// details) and how a client reads it back: StatusOf, Code, Message, and Details unpacked
// with UnmarshalTo. The details are well-known protobuf types: a structpb.Struct in the
// shape of google.rpc.BadRequest, and a durationpb.Duration as a retry delay.
//
//	go run ./examples/errors
//
// prints
//
//	"alice": OK
//	"": INVALID_ARGUMENT: greeting must not be empty
//	  bad request: field "greeting": must not be empty
//	"bob": NOT_FOUND: no user named bob
//	"busy": UNAVAILABLE: the greeter is busy
//	  retry after: 1.5s
//	"oops": UNKNOWN: disk on fire
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// greeter fails in a different way for each special greeting.
type greeter struct {
	hellopb.UnimplementedHelloServiceServer
}

// SayHello greets, or fails with a status chosen by the greeting.
func (greeter) SayHello(_ context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	switch req.GetGreeting() {
	case "":
		return nil, badRequest("greeting", "must not be empty")
	case "bob":
		return nil, actorrpc.Errorf(actorrpc.NotFound, "no user named %s", req.GetGreeting())
	case "busy":
		return nil, retryLater(1500 * time.Millisecond)
	case "oops":
		return nil, errors.New("disk on fire") // not a status: the client sees UNKNOWN
	}
	return &hellopb.HelloResponse{Reply: "Hello, " + req.GetGreeting() + "!"}, nil
}

// badRequest is INVALID_ARGUMENT with a detail naming the bad field.
func badRequest(field, description string) error {
	detail, err := structpb.NewStruct(map[string]any{"field": field, "description": description})
	if err != nil {
		return err
	}
	st, err := actorrpc.NewStatus(actorrpc.InvalidArgument, field+" "+description).WithDetails(detail)
	if err != nil {
		return err
	}
	return st.Err()
}

// retryLater is UNAVAILABLE with a detail saying when to try again.
func retryLater(after time.Duration) error {
	st, err := actorrpc.NewStatus(actorrpc.Unavailable, "the greeter is busy").WithDetails(durationpb.New(after))
	if err != nil {
		return err
	}
	return st.Err()
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
		srv.Stop()
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
	for _, greeting := range []string{"alice", "", "bob", "busy", "oops"} {
		_, err := client.SayHello(ctx, &hellopb.HelloRequest{Greeting: greeting})
		if err := printStatus(greeting, err); err != nil {
			return err
		}
	}
	return nil
}

// printStatus prints the status a call ended with, and the details it knows.
func printStatus(greeting string, callErr error) error {
	st := actorrpc.StatusOf(callErr) // nil is OK; any other error has a status
	if st.Code() == actorrpc.OK {
		fmt.Printf("%q: OK\n", greeting)
		return nil
	}
	fmt.Printf("%q: %s: %s\n", greeting, st.Code(), st.Message())
	for _, d := range st.Details() {
		switch {
		case d.MessageIs(&structpb.Struct{}):
			var br structpb.Struct
			if err := d.UnmarshalTo(&br); err != nil {
				return err
			}
			f := br.GetFields()
			fmt.Printf("  bad request: field %q: %s\n", f["field"].GetStringValue(), f["description"].GetStringValue())
		case d.MessageIs(&durationpb.Duration{}):
			var after durationpb.Duration
			if err := d.UnmarshalTo(&after); err != nil {
				return err
			}
			fmt.Println("  retry after:", after.AsDuration())
		default:
			fmt.Println("  unknown detail:", d.GetTypeUrl())
		}
	}
	return nil
}
