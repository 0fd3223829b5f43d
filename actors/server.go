package actors

import (
	"errors"
	"log/slog"
	"net"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/supervisor"
)

// Commands to a server actor.

// Serve starts accepting on Listener. Done receives the outcome once accepting ends: nil
// after StopServer, else the accept error.
type Serve struct {
	Listener net.Listener
	Done     chan<- error
}

// StopServer closes every listener. Graceful drains the connections (GOAWAY, finish the
// streams in flight); otherwise they close at once. Done is closed when every connection
// has ended.
type StopServer struct {
	Graceful bool
	Done     chan<- struct{}
}

// acceptedConn is posted by an accept goroutine.
type acceptedConn struct{ nc net.Conn }

// acceptEnded is posted when an accept goroutine ends.
type acceptEnded struct {
	lis net.Listener
	err error
}

// ServerParams configures a server actor.
type ServerParams struct {
	// System, when set, runs the runtime's actors on the system's warm dispatcher.
	System    *actor.ActorSystem
	Conn      ConnConfig
	Logger    *slog.Logger
	NewStream func(ctx actor.Context, s IncomingStream) StreamOwner
}

// server is the server actor: it owns the listeners, their accept goroutines and the
// connection actors (its children).
type server struct {
	p         ServerParams
	listeners map[net.Listener]*listening
	conns     map[string]*actor.PID
	stopping  bool
	stopDone  []chan<- struct{}
}

type listening struct {
	done     chan<- error
	finished chan struct{} // closed when the accept goroutine ends
}

// NewServerProps returns the props of a server actor.
func NewServerProps(p ServerParams) *actor.Props {
	return RuntimeProps(p.System, func() actor.Actor {
		return &server{p: p, listeners: map[net.Listener]*listening{}, conns: map[string]*actor.PID{}}
	}, actor.WithSupervisor(supervisor.StopOnFailure(p.Logger)))
}

// Receive is the server actor's one switch.
func (s *server) Receive(ctx actor.Context) {
	defer supervisor.KeepStack()
	switch m := ctx.Message().(type) {
	case *Serve:
		s.serve(ctx, m)
	case *acceptedConn:
		s.accepted(ctx, m.nc)
	case *acceptEnded:
		s.acceptEnded(m)
	case *StopServer:
		s.stop(ctx, m)
	case *actor.Terminated:
		delete(s.conns, m.Who.Id)
		s.maybeStopped()
	case *ConnectionClosed:
		// the connection's Terminated follows
	case *actor.Stopping:
		s.closeListeners()
	}
}

func (s *server) serve(ctx actor.Context, m *Serve) {
	if s.stopping {
		_ = m.Listener.Close()
		m.Done <- errors.New("actorrpc: server stopped")
		return
	}
	finished := make(chan struct{})
	s.listeners[m.Listener] = &listening{done: m.Done, finished: finished}
	system, self, lis := ctx.ActorSystem(), ctx.Self(), m.Listener
	go func() {
		defer close(finished)
		for {
			nc, err := lis.Accept()
			if err != nil {
				system.Root.Send(self, &acceptEnded{lis: lis, err: err})
				return
			}
			system.Root.Send(self, &acceptedConn{nc: nc})
		}
	}()
}

func (s *server) accepted(ctx actor.Context, nc net.Conn) {
	if s.stopping {
		_ = nc.Close()
		return
	}
	pid := ctx.Spawn(NewConnProps(ConnParams{System: s.p.System, NetConn: nc, Config: s.p.Conn, Logger: s.p.Logger, NewStream: s.p.NewStream}))
	s.conns[pid.Id] = pid
}

func (s *server) acceptEnded(m *acceptEnded) {
	l := s.listeners[m.lis]
	if l == nil {
		return
	}
	delete(s.listeners, m.lis)
	if s.stopping {
		l.done <- nil
		return
	}
	l.done <- m.err
}

func (s *server) stop(ctx actor.Context, m *StopServer) {
	s.stopping = true
	s.stopDone = append(s.stopDone, m.Done)
	s.closeListeners()
	for _, pid := range s.conns {
		if m.Graceful {
			ctx.Send(pid, &Drain{Reason: "server shutting down"})
		} else {
			ctx.Stop(pid)
		}
	}
	s.maybeStopped()
}

// closeListeners closes every listener and waits for its accept goroutine.
func (s *server) closeListeners() {
	for lis, l := range s.listeners {
		_ = lis.Close()
		<-l.finished
		delete(s.listeners, lis)
		l.done <- nil
	}
}

func (s *server) maybeStopped() {
	if !s.stopping || len(s.conns) > 0 {
		return
	}
	for _, d := range s.stopDone {
		close(d)
	}
	s.stopDone = nil
}
