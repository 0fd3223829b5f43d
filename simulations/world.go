package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/simulations/memnet"
)

// serverAddr is where the world's server listens.
const serverAddr = "server:443"

// Backoff of every channel: short, so that runs reconnect within a few fake seconds, and
// without jitter, because the runtime draws backoff jitter from math/rand/v2's global
// source, which no seed reaches.
const (
	backoffBase       = 100 * time.Millisecond
	backoffMax        = 2 * time.Second
	minConnectTimeout = time.Second
)

// World is one simulation run: a memnet network, a server and its clients, a model of
// what they observed, and the run's one random source. Only the goroutine that drives the
// run (the bubble's root) draws from rng and changes the world.
type World struct {
	rng     *rand.Rand
	net     *memnet.Network
	model   *Model
	server  *serverNode
	clients []*clientNode
	calls   sync.WaitGroup
	nextID  int
	// restarts counts server restarts (the server's name in the trace).
	restarts int
	// dropReply, a test hook, makes the client forget a response message.
	dropReply func(id, seq int) bool
	// keepalive gives the server and the clients keepalive options (kaTime, kaTimeout).
	keepalive bool
	// atEnd are a scenario's own checks, run after shutdown, when every call has ended.
	atEnd []func()

	// handlesMu guards handles: every stream handle of the run, kept reachable until the
	// world has shut down. See keepHandle.
	handlesMu sync.Mutex
	handles   []any
}

// keepHandle keeps a stream handle reachable until shutdown. The runtime registers a
// runtime.AddCleanup on each handle that, once the handle is unreachable, sends Cancel to
// the stream actor; cleanups run outside any synctest bubble, and if the actor still lives
// the send reaches the bubble's dispatcher channel: "fatal error: send on synctest channel
// from outside bubble" (see README.md, runtime bugs). After shutdown every stream actor has
// stopped and such a send goes to dead letters.
func (w *World) keepHandle(h any) {
	w.handlesMu.Lock()
	defer w.handlesMu.Unlock()
	w.handles = append(w.handles, h)
}

// serverNode is a running actorrpc server.
type serverNode struct {
	name   string
	srv    *actorrpc.Server
	served chan error
}

// clientNode is a channel to the server and the actor watching its state.
type clientNode struct {
	name    string
	ch      *actorrpc.Channel
	stub    hellopb.HelloServiceClient
	watcher *actor.PID
}

// quiet is the runtime's logger in a run: its events (panics, broken connections) are
// expected and would only clutter the output.
var quiet = slog.New(slog.DiscardHandler)

// Keepalive of the scenarios that turn it on (keepaliveScenarios): the client pings after
// kaTime without reads and gives up kaTimeout later; the server lets it ping that often.
const (
	kaTime    = 10 * time.Second // grpc-go's (and actorrpc's) floor
	kaTimeout = 2*time.Second + 250*time.Microsecond
)

// smallFrames is the SETTINGS_MAX_FRAME_SIZE of every other server (s1, s3, ...) and client
// (c2, c4, ...): HTTP/2's initial 16 KiB, grpc-go's, so that large messages still cross
// the faulty network in many frames. The others announce actorrpc's default, 1 MiB, and get
// a large message in a frame or two. Chosen by position, not drawn: a seed's draws stay
// what they were.
const smallFrames = 16 << 10

// newWorld builds a world of one server and nClients clients, with keepalive or not; call
// inside a bubble.
func newWorld(seed uint64, nClients int, tick time.Duration, keepalive bool) *World {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	w := &World{rng: rng, net: memnet.New(rng), model: newModel(time.Now(), tick), keepalive: keepalive}
	w.startServer()
	for i := range nClients {
		w.clients = append(w.clients, w.newClient(fmt.Sprintf("c%d", i+1)))
	}
	return w
}

// startServer starts a server, in an actor system of its own, listening at serverAddr.
func (w *World) startServer() {
	name := fmt.Sprintf("s%d", w.restarts+1)
	opts := []actorrpc.ServerOption{actorrpc.WithActorSystem(actors.NewSystem()), actorrpc.WithLogger(quiet)}
	if w.restarts%2 == 0 {
		opts = append(opts, actorrpc.WithMaxFrameSize(smallFrames))
	}
	if w.keepalive {
		opts = append(opts, actorrpc.KeepaliveEnforcementPolicy(actorrpc.KeepalivePolicy{MinTime: time.Second, PermitWithoutStream: true}))
	}
	srv := actorrpc.NewServer(opts...)
	hellopb.RegisterHelloServiceServer(srv, &service{name: name, model: w.model})
	lis, err := w.net.Listen(serverAddr)
	if err != nil {
		panic(err) // the previous server closed its listener before
	}
	node := &serverNode{name: name, srv: srv, served: make(chan error, 1)}
	go func() { node.served <- srv.Serve(lis) }()
	w.server = node
	w.model.Note("%s serving", name)
}

// stopServer stops the server at once and waits for Serve to return.
func (w *World) stopServer() {
	s := w.server
	s.srv.Stop()
	if err := <-s.served; err != nil && !errors.Is(err, actorrpc.ErrServerStopped) {
		w.model.mu.Lock()
		w.model.violatef("%s: Serve returned %v", s.name, err)
		w.model.mu.Unlock()
	}
	w.model.Note("%s stopped", s.name)
}

// restartServer stops the server and starts a new one at the same address.
func (w *World) restartServer() {
	w.stopServer()
	w.restarts++
	w.startServer()
}

// newClient dials serverAddr from an actor system of its own, through memnet, and
// subscribes an actor to the channel's transitions.
func (w *World) newClient(name string) *clientNode {
	system := actors.NewSystem()
	dial := w.net.Dialer(name)
	opts := []actorrpc.DialOption{
		actorrpc.WithActorSystem(system),
		actorrpc.WithLogger(quiet),
		actorrpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			c, err := dial(ctx, addr)
			w.model.DialAttempted(name, err)
			return c, err
		}),
		actorrpc.WithBackoff(backoffBase, backoffMax, 1.6, 0, minConnectTimeout),
	}
	if len(w.clients)%2 == 1 {
		opts = append(opts, actorrpc.WithMaxFrameSize(smallFrames))
	}
	if w.keepalive {
		opts = append(opts, actorrpc.WithKeepaliveParams(actorrpc.KeepaliveClientParams{Time: kaTime, Timeout: kaTimeout, PermitWithoutStream: true}))
	}
	ch, err := actorrpc.Dial(serverAddr, opts...)
	if err != nil {
		panic(err)
	}
	c := &clientNode{name: name, ch: ch, stub: hellopb.NewHelloServiceClient(ch)}
	c.watcher = system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if m, ok := ctx.Message().(*actorrpc.StateChanged); ok {
			w.model.StateChanged(name, *m)
		}
	}))
	ch.Subscribe(c.watcher)
	return c
}

// startCall starts the call s in a goroutine of its own.
func (w *World) startCall(s CallSpec) {
	w.model.CallStarted(s)
	c := w.clients[s.Client]
	w.calls.Go(func() { w.runCall(c, s) })
}

// newSpec returns a spec with the next id, for client i.
func (w *World) newSpec(client int, kind Kind) CallSpec {
	w.nextID++
	return CallSpec{ID: w.nextID, Client: client, Kind: kind}
}

// healAll ends every fault on every link, each link's all at once (memnet.Restore): healed
// one by one, a stall released first lets a response travel with a latency the same heal
// then clears, and the trace depends on the scheduler (seed 2 of random did so under load).
func (w *World) healAll() {
	for _, c := range w.clients {
		w.net.Restore(c.name, serverAddr)
	}
	w.model.Note("heal all")
}

// shutdown closes the clients and the server and waits for every call to end.
func (w *World) shutdown() {
	for _, c := range w.clients {
		if err := c.ch.Close(); err != nil {
			w.model.Note("%s close: %v", c.name, err)
		}
	}
	w.calls.Wait()
	for _, c := range w.clients {
		// A poison pill queues behind the last StateChanged (a Stop would overtake it).
		_ = c.ch.ActorSystem().Root.PoisonFuture(c.watcher).Wait()
	}
	w.stopServer()
	w.handlesMu.Lock()
	w.handles = nil
	w.handlesMu.Unlock()
}
