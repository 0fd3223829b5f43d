// Command eventdriven serves a chat room with one actor and no mutex: each member is a
// BidiHello stream, and the room actor, which alone owns the members, broadcasts every
// message to every member's stream. Then a client consumes the room's history, a
// LotsOfReplies stream, as messages sent to an actor.
//
//	go run ./examples/eventdriven
//
// prints
//
//	alice << * alice joined (1 here)
//	alice << * bob joined (2 here)
//	bob   << * bob joined (2 here)
//	alice << alice: hi bob
//	bob   << alice: hi bob
//	bob   << bob: hello alice
//	alice << bob: hello alice
//	alice << (the stream ended: OK)
//	bob   << * alice left (1 here)
//	bob   << (the stream ended: OK)
//	history: * alice joined (1 here)
//	history: * bob joined (2 here)
//	history: alice: hi bob
//	history: bob: hello alice
//	history: * alice left (1 here)
//	history: * bob left (0 here)
//	history: (the stream ended: OK)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// member is one person in the room: a BidiHello stream.
type member struct {
	name   string
	stream *actorrpc.StreamRef
}

// room serves HelloService by message. BidiHello streams are members; a LotsOfReplies
// stream gets the history. The actor alone owns members and history: no mutex.
type room struct {
	members map[string]member // by the stream actor's id
	history []string
}

// Receive is the room's one switch over its messages.
func (r *room) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actorrpc.IncomingStreamCall:
		if m.Method == hellopb.HelloService_BidiHello_FullMethodName {
			r.join(c, m)
		}
	case *actorrpc.StreamMessage:
		r.said(c, m)
	case *actorrpc.StreamEnd:
		r.leave(c, m)
	case *actorrpc.UnaryCall:
		m.Fail(c, actorrpc.Errorf(actorrpc.Unimplemented, "the room has no %s", m.Method))
	}
}

// join adds a member, named by the "name" metadata of its call.
func (r *room) join(c actor.Context, call *actorrpc.IncomingStreamCall) {
	name := "anonymous"
	if names := call.Incoming["name"]; len(names) > 0 {
		name = names[0]
	}
	r.members[call.Stream.PID().GetId()] = member{name: name, stream: call.Stream}
	r.broadcast(c, fmt.Sprintf("* %s joined (%d here)", name, len(r.members)))
}

// said broadcasts a member's message, or answers a history request.
func (r *room) said(c actor.Context, m *actorrpc.StreamMessage) {
	text := m.Msg.(*hellopb.HelloRequest).GetGreeting()
	from, ok := r.members[m.Stream.PID().GetId()]
	if !ok { // a LotsOfReplies call: send the history and end
		for _, line := range r.history {
			_ = m.Stream.Send(c, &hellopb.HelloResponse{Reply: line})
		}
		m.Stream.Finish(c, nil, nil)
		return
	}
	r.broadcast(c, from.name+": "+text)
}

// leave removes a member whose client half-closed or went away, and ends its stream.
func (r *room) leave(c actor.Context, end *actorrpc.StreamEnd) {
	id := end.Stream.PID().GetId()
	gone, ok := r.members[id]
	if !ok {
		return
	}
	delete(r.members, id)
	end.Stream.Finish(c, end.Err, nil)
	r.broadcast(c, fmt.Sprintf("* %s left (%d here)", gone.name, len(r.members)))
}

// broadcast records line and sends it to every member.
func (r *room) broadcast(c actor.Context, line string) {
	r.history = append(r.history, line)
	for _, m := range r.members {
		_ = m.stream.Send(c, &hellopb.HelloResponse{Reply: line})
	}
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
	root := srv.ActorSystem().Root
	pid := root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &room{members: map[string]member{}} }))
	defer func() { _ = root.StopFuture(pid).Wait() }()
	hellopb.RegisterHelloServiceActor(srv, pid)
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
	if err := chat(ctx, client); err != nil {
		return err
	}
	return history(ctx, client, ch.ActorSystem())
}

// chatter is a member's side of the chat: a blocking BidiHello stream.
type chatter struct {
	name   string
	stream hellopb.HelloService_BidiHelloClient
}

// join opens a member's stream, named in its metadata.
func join(ctx context.Context, client hellopb.HelloServiceClient, name string) (*chatter, error) {
	stream, err := client.BidiHello(actorrpc.AppendOutgoing(ctx, "name", name))
	if err != nil {
		return nil, err
	}
	return &chatter{name: name, stream: stream}, nil
}

// hear receives and prints the next line the member gets.
func (m *chatter) hear() error {
	resp, err := m.stream.Recv()
	switch {
	case errors.Is(err, io.EOF):
		fmt.Printf("%-5s << (the stream ended: OK)\n", m.name)
		return nil
	case err != nil:
		return err
	}
	fmt.Printf("%-5s << %s\n", m.name, resp.GetReply())
	return nil
}

// chat has two members join, talk and leave. After each step the program reads what each
// member heard, so the output keeps one order.
func chat(ctx context.Context, client hellopb.HelloServiceClient) error {
	alice, err := join(ctx, client, "alice")
	if err != nil {
		return err
	}
	if err := alice.hear(); err != nil {
		return err
	}
	bob, err := join(ctx, client, "bob")
	if err != nil {
		return err
	}
	if err := hearAll(alice, bob); err != nil {
		return err
	}
	if err := say(alice, "hi bob", alice, bob); err != nil {
		return err
	}
	if err := say(bob, "hello alice", bob, alice); err != nil {
		return err
	}
	if err := alice.stream.CloseSend(); err != nil {
		return err
	}
	if err := hearAll(alice, bob); err != nil {
		return err
	}
	if err := bob.stream.CloseSend(); err != nil {
		return err
	}
	return bob.hear()
}

// say sends text as from, then reads what each listener heard.
func say(from *chatter, text string, listeners ...*chatter) error {
	if err := from.stream.Send(&hellopb.HelloRequest{Greeting: text}); err != nil {
		return err
	}
	return hearAll(listeners...)
}

// hearAll reads the next line of each member, in order.
func hearAll(members ...*chatter) error {
	for _, m := range members {
		if err := m.hear(); err != nil {
			return err
		}
	}
	return nil
}

// printer is a client-side actor that consumes a server stream as messages.
type printer struct{ done chan<- struct{} }

// Receive prints each message of the stream and its end.
func (p printer) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actorrpc.StreamMessage:
		fmt.Println("history:", m.Msg.(*hellopb.HelloResponse).GetReply())
	case *actorrpc.StreamEnd:
		fmt.Printf("history: (the stream ended: %s)\n", actorrpc.CodeOf(m.Err))
		close(p.done)
	}
}

// history asks the room for its history with LotsOfRepliesActor: the replies arrive at
// an actor of the channel's actor system as messages.
func history(ctx context.Context, client hellopb.HelloServiceClient, system *actor.ActorSystem) error {
	done := make(chan struct{})
	pid := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return printer{done: done} }))
	defer func() { _ = system.Root.StopFuture(pid).Wait() }()
	if _, err := client.LotsOfRepliesActor(ctx, &hellopb.HelloRequest{Greeting: "history"}, pid); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
