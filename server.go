package actorrpc

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/callactor"
	"github.com/actorrpc/actorrpc/streamactor"
	"github.com/actorrpc/actorrpc/supervisor"
	"github.com/actorrpc/actorrpc/wire"
)

// UnaryCall is the message an actor serving a method receives for each call. The actor
// answers with call.Respond(ctx, resp) or call.Fail(ctx, err), from its Receive or later.
type UnaryCall = callactor.UnaryCall

// Server serves registered services over HTTP/2. Register services before Serve.
type Server struct {
	opts     serverOptions
	system   *actor.ActorSystem
	methods  map[string]*handler // written before Serve, read-only after
	services map[string]bool

	baseCtx  context.Context
	cancel   context.CancelFunc
	handlers sync.WaitGroup
	// calls spawns the call and stream actors of every connection, under a guardian that
	// stops a failed one (they are not their connection's children: see
	// actors.OwnerStopped).
	calls *actor.RootContext

	// mu guards the server actor's creation and the stopped flag at the API edge.
	mu      sync.Mutex
	pid     *actor.PID
	stopped bool
}

var _ ServiceRegistrar = (*Server)(nil)

// NewServer returns a Server with no services.
func NewServer(opts ...ServerOption) *Server {
	var o serverOptions
	for _, opt := range opts {
		opt.applyServer(&o)
	}
	if o.system == nil {
		o.system = actors.DefaultSystem()
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	o.maxRecv = defaultMax(o.maxRecv, wire.DefaultMaxRecvMessageSize)
	o.maxSend = defaultMax(o.maxSend, wire.DefaultMaxSendMessageSize)
	s := &Server{opts: o, system: o.system, methods: map[string]*handler{}, services: map[string]bool{}}
	s.calls = actor.NewRootContext(o.system, nil).WithGuardian(supervisor.StopOnFailure(o.logger))
	s.baseCtx, s.cancel = context.WithCancel(context.Background())
	return s
}

// ActorSystem returns the actor system the Server's actors run in; spawn actors that serve
// methods there.
func (s *Server) ActorSystem() *actor.ActorSystem { return s.system }

// handler serves one method: unary or streaming.
type handler struct {
	unary  *callactor.Method
	stream *streamactor.Method
}

// RegisterService serves desc's methods with impl. It panics if impl does not implement
// desc.HandlerType or the service is already registered.
func (s *Server) RegisterService(desc *ServiceDesc, impl any) {
	if impl == nil {
		panic(fmt.Sprintf("actorrpc: RegisterService(%s) with a nil implementation", desc.ServiceName))
	}
	if desc.HandlerType != nil {
		ht := reflect.TypeOf(desc.HandlerType).Elem()
		if !reflect.TypeOf(impl).Implements(ht) {
			panic(fmt.Sprintf("actorrpc: RegisterService: %T does not implement %v", impl, ht))
		}
	}
	s.register(desc, func(md MethodDesc) *handler {
		fn := md.Handler
		return &handler{unary: &callactor.Method{NewRequest: md.NewRequest, Func: func(ctx context.Context, req proto.Message) (proto.Message, error) {
			return fn(impl, ctx, req)
		}}}
	}, func(sd StreamDesc) *handler {
		fn := sd.Handler
		return &handler{stream: &streamactor.Method{Handler: func(ctx context.Context, st *streamactor.ServerStream) error {
			return fn(impl, newServerStream(ctx, st, s.opts.maxSend))
		}}}
	})
}

// RegisterActorService serves desc's methods with the actor pid: each unary call arrives
// as a *UnaryCall message, each streaming call as an *IncomingStreamCall followed by
// *StreamMessage and *StreamEnd messages.
func (s *Server) RegisterActorService(desc *ServiceDesc, pid *actor.PID) {
	s.register(desc, func(md MethodDesc) *handler {
		return &handler{unary: &callactor.Method{NewRequest: md.NewRequest, Actor: pid}}
	}, func(sd StreamDesc) *handler {
		return &handler{stream: &streamactor.Method{Actor: pid, NewRequest: sd.NewRequest}}
	})
}

func (s *Server) register(desc *ServiceDesc, unary func(MethodDesc) *handler, stream func(StreamDesc) *handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pid != nil {
		panic("actorrpc: RegisterService after Serve")
	}
	if s.services[desc.ServiceName] {
		panic(fmt.Sprintf("actorrpc: service %s registered twice", desc.ServiceName))
	}
	s.services[desc.ServiceName] = true
	for _, md := range desc.Methods {
		s.methods["/"+desc.ServiceName+"/"+md.MethodName] = unary(md)
	}
	for _, sd := range desc.Streams {
		s.methods["/"+desc.ServiceName+"/"+sd.StreamName] = stream(sd)
	}
}

// lookup resolves a :path; unknown ones get UNIMPLEMENTED with grpc-go's messages.
func (s *Server) lookup(path string) (*handler, *wire.Status) {
	if m, ok := s.methods[path]; ok {
		return m, nil
	}
	service, method, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !ok || !strings.HasPrefix(path, "/") {
		return nil, wire.Statusf(wire.Unimplemented, "malformed method name: %q", path)
	}
	if !s.services[service] {
		return nil, wire.Statusf(wire.Unimplemented, "unknown service %s", service)
	}
	return nil, wire.Statusf(wire.Unimplemented, "unknown method %s for service %s", method, service)
}

// sendToServerActor posts msg to the server actor, spawning it on first use, unless the
// server has stopped. The send happens under mu so that every Serve is queued before the
// StopServer and poison pill that shutdown sends.
func (s *Server) sendToServerActor(msg any) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	if s.pid == nil {
		s.pid = s.system.Root.Spawn(actors.NewServerProps(actors.ServerParams{
			System: s.system, Conn: s.opts.conn, Logger: s.opts.logger, NewStream: s.newStream,
		}))
	}
	s.system.Root.Send(s.pid, msg)
	return true
}

// newStream answers a stream a client opened (inside its connection actor): it parses the
// request headers, resolves the method, and spawns the unary or stream call actor; a bad
// request is refused without an actor.
func (s *Server) newStream(_ actor.Context, st actors.IncomingStream) actors.StreamOwner {
	// The text metadata stays in the fields (the HEADERS frame's own, which nothing
	// changes) until a handler asks for it: most never do.
	req, herr := wire.ParseRequestHeadersLazy(st.Fields)
	if herr != nil {
		return callactor.Reject(herr)
	}
	h, status := s.lookup(req.Path)
	if status == nil {
		status = checkEncoding(req.Encoding)
	}
	if status != nil {
		return actors.StreamOwner{Reject: callactor.StatusWrite(false, req.ContentSubtype, nil, status, nil).Headers}
	}
	compressor := s.responseCompressor(req)
	if h.unary != nil {
		call := callactor.NewUnaryServer(callactor.ServerParams{
			Stream: st, Req: req, Method: h.unary, MaxRecv: s.opts.maxRecv, MaxSend: s.opts.maxSend,
			BaseCtx: s.baseCtx, Handlers: &s.handlers, Logger: s.opts.logger, Compressor: compressor,
		})
		// Spawned once, never restarted (a failed call actor stops): the producer may
		// return the one actor it holds.
		pid := s.calls.Spawn(call.Props(s.system))
		return actors.StreamOwner{PID: pid}
	}
	req.IncomingMetadata() // a stream's actor hands it on as IncomingCall.Incoming
	params := streamactor.ServerParams{
		Stream: st, Req: req, Method: h.stream, MaxRecv: s.opts.maxRecv, MaxSend: s.opts.maxSend,
		BaseCtx: s.baseCtx, Handlers: &s.handlers, Compressor: compressor,
		Window: int(s.opts.conn.InitialWindowSize), Lender: new(actors.Lender),
	}
	params.Lender.InitOffer(s.system)
	pid := s.calls.Spawn(actors.LentProps(func(*actor.ActorSystem) actor.Actor { return streamactor.NewServer(params) }, params.Lender))
	return actors.StreamOwner{PID: pid, ManualFlow: true}
}

// checkEncoding refuses a request compressed with an encoding this server lacks
// (PROTOCOL-HTTP2.md: the server answers UNIMPLEMENTED and lists what it accepts).
func checkEncoding(encoding string) *wire.Status {
	if encoding == "" || encoding == "identity" || wire.CompressorByName(encoding) != nil {
		return nil
	}
	return wire.Statusf(wire.Unimplemented, "grpc: Decompressor is not installed for grpc-encoding %q", encoding)
}

// responseCompressor picks how responses are compressed: the server's compressor if the
// client accepts it, else the one the client compressed its request with (as grpc-go
// does), else none.
func (s *Server) responseCompressor(req *wire.RequestHeaders) string {
	if c := s.opts.compressor; c != "" && c != "identity" && wire.AcceptsEncoding(req.AcceptEncoding, c) {
		return c
	}
	if req.Encoding != "" && req.Encoding != "identity" && wire.AcceptsEncoding(req.AcceptEncoding, req.Encoding) {
		return req.Encoding
	}
	return ""
}

// ErrServerStopped is returned by Serve after Stop or GracefulStop.
var ErrServerStopped = fmt.Errorf("actorrpc: the server has been stopped")

// Serve accepts connections on lis and serves them until Stop or GracefulStop (then it
// returns nil) or until accepting fails (then it returns the error). lis is closed.
func (s *Server) Serve(lis net.Listener) error {
	done := make(chan error, 1)
	if !s.sendToServerActor(&actors.Serve{Listener: lis, Done: done}) {
		_ = lis.Close()
		return ErrServerStopped
	}
	return <-done
}

// Stop closes every listener and connection at once; handlers' contexts are cancelled.
func (s *Server) Stop() {
	s.shutdown(false)
	s.stopActor() // connections close before handlers hear of it: no answer slips out
	s.cancel()
}

// GracefulStop stops accepting, sends GOAWAY, and waits for the calls in flight to finish
// or ctx to end; then it stops like Stop. It returns ctx's error if it had to cut calls off.
func (s *Server) GracefulStop(ctx context.Context) error {
	drained := s.shutdown(true)
	var err error
	select {
	case <-drained:
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.shutdown(false)
	s.cancel()
	handlersDone := make(chan struct{})
	go func() { s.handlers.Wait(); close(handlersDone) }()
	select {
	case <-handlersDone:
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.stopActor()
	return err
}

// shutdown asks the server actor to stop its listeners and connections; the channel is
// closed when no connection is left.
func (s *Server) shutdown(graceful bool) <-chan struct{} {
	done := make(chan struct{})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if s.pid == nil {
		close(done)
		return done
	}
	s.system.Root.Send(s.pid, &actors.StopServer{Graceful: graceful, Done: done})
	return done
}

func (s *Server) stopActor() {
	s.mu.Lock()
	pid := s.pid
	s.mu.Unlock()
	if pid != nil {
		// A poison pill is a user message: it is handled after the queued Serve and
		// StopServer messages, so every Serve call gets its answer.
		_ = s.system.Root.PoisonFuture(pid).Wait()
	}
}
