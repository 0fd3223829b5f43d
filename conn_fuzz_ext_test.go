package actorrpc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
	"github.com/actorrpc/actorrpc/internal/rawh2"
	"github.com/actorrpc/actorrpc/supervisor"
)

// FuzzServerConn writes a frame script (fuzz_script_ext_test.go) after the client preface
// to a Server over an in-memory pipe, in a synctest bubble, then probes it with a PING and
// a valid request. Whatever the script, the server must answer the probe or close the
// connection, no connection or call actor may fail (panic), and after Stop no goroutine
// may be left (the bubble ends only when all of its goroutines have). Run it with
//
//	go test -run '^$' -fuzz FuzzServerConn -fuzztime 3m .
func FuzzServerConn(f *testing.F) {
	for _, seed := range serverConnSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(t, "FuzzServerConn")()
		bubble(t, func(t *testing.T) { serverConnCase(t, data) })
	})
}

// watchdog turns a case that runs for 30 s of real time into a crash, so that the fuzzer
// keeps the input: a hang that the bubble cannot see (fake time running on forever).
func watchdog(t *testing.T, name string) (stop func()) {
	timer := time.AfterFunc(30*time.Second, func() {
		buf := make([]byte, 1<<20)
		panic(fmt.Sprintf("%s: a case ran for 30 s; a hang?\n%s", name, buf[:runtime.Stack(buf, true)]))
	})
	return func() { timer.Stop() }
}

// probePing is the payload of the PING a probe expects to have answered.
var probePing = [8]byte{'p', 'r', 'o', 'b', 'e', 'p', 'n', 'g'}

func serverConnCase(t *testing.T, data []byte) {
	n := newMemNet()
	system := actors.NewSystem()
	failures := watchFailures(system)
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(system), actorrpc.WithLogger(slog.New(slog.DiscardHandler)),
		actorrpc.MaxConcurrentStreams(8))
	hellopb.RegisterHelloServiceServer(srv, helloServer{fn: echo})
	srv.RegisterService(&numbersDesc, defaultNumbers())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(n.listen()) }()
	nc, err := n.Dial(context.Background(), "mem")
	require.NoError(t, err)
	log := startFrameLog(nc)
	w := newScriptWriter(nc, true)
	w.write(func() error { _, err := nc.Write([]byte(http2.ClientPreface)); return err })
	w.write(func() error { return w.fr.WriteSettings() })
	in := &fuzzInput{b: data}
	for w.step(in) {
	}
	probeServer(t, w, log)

	_ = nc.Close()
	<-log.done
	srv.Stop()
	if err := <-served; !errors.Is(err, actorrpc.ErrServerStopped) {
		assert.NoError(t, err, "Serve after Stop")
	}
	failures.check(t)
}

// probeServer checks that the server, once every goroutine is idle, has answered a PING
// and a valid request written after the script, or has closed the connection.
func probeServer(t *testing.T, w *scriptWriter, log *frameLog) {
	id := w.nextID()
	if w.err == nil && id <= 1<<31-1 {
		req, _ := proto.Marshal(&hellopb.HelloRequest{Greeting: "probe"})
		w.writeBlock(id, w.encode(rawRequestHeaders(hellopb.HelloService_SayHello_FullMethodName)), false, 0, 0)
		w.write(func() error { return w.fr.WriteData(id, true, rawMsg(0, req)) })
	}
	w.write(func() error { return w.fr.WritePing(false, probePing) })
	synctest.Wait()
	if errors.Is(w.err, os.ErrDeadlineExceeded) {
		t.Errorf("the server stopped reading for a minute without closing the connection")
		return
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	switch {
	case log.bad != nil:
		t.Errorf("the server sent a malformed frame: %v", log.bad)
	case log.closed() || w.err != nil:
		// the server closed the connection: a fine answer to any script
	case !log.pings[probePing]:
		if fuzzTrace {
			_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		}
		t.Errorf("the server neither answered a PING nor closed the connection (%d frames read)", log.frames)
	case id <= 1<<31-1 && !log.answered[id] && !(log.goAway && log.goAwayLast < id):
		t.Errorf("the server neither answered request stream %d nor closed the connection (%d frames read)", id, log.frames)
	}
}

// failureWatch collects the supervisor.Failure events of an actor system: an actor of
// ours that panicked.
type failureWatch struct {
	system *actor.ActorSystem
	mu     sync.Mutex
	events []*supervisor.Failure
	stop   func()
}

func watchFailures(system *actor.ActorSystem) *failureWatch {
	w := &failureWatch{system: system}
	sub := system.EventStream.Subscribe(func(evt any) {
		if f, ok := evt.(*supervisor.Failure); ok {
			w.mu.Lock()
			w.events = append(w.events, f)
			w.mu.Unlock()
		}
	})
	w.stop = func() { system.EventStream.Unsubscribe(sub) }
	return w
}

func (w *failureWatch) check(t *testing.T) {
	t.Helper()
	w.stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, f := range w.events {
		t.Errorf("actor %s failed on %s: %v\n%s", f.Child.GetId(), f.Message, f.Reason.Value, f.Reason.Stack)
	}
}

// serverConnSeeds are scripts of valid calls and of each op, and the bytes our own
// Channel wrote in a real unary call and a bidi stream (as raw ops).
func serverConnSeeds(f *testing.F) [][]byte {
	hello := []byte("hello")
	call := append([]byte{opHeaders, 0x00, 3, opData, 0x01, 0, 2, byte(len(hello))}, hello...)
	echo := []byte{opHeaders, 0x01, 3, opData, 0x00, 0, 0, 0, 7, opData, 0x01, 0, 0, 0, 9}
	seeds := [][]byte{
		{},
		call,
		echo,
		append(append([]byte{}, call...), opPause, 0, opRSTStream, 0, 8, opWindowUpdate, 5, 0, 1, 0, 0),
		{opSettings, 0x02, 4, 0, 0, 0, 0, 0, opPing, 0, 1, 2, 3, 4, 5, 6, 7, 8, opSettings, 1},
		{opHeaders, 0x40, 3, 5, opContinuation, 0x03, 0, 2, 'x', 'y'},
		{opHeaders, 0x01, 3, opRSTStream, 0, 8, opHeaders, 0x01, 3, opRSTStream, 0, 8},
		{opPriority, 3, 0, 0, 0, 1, 16, opGoAway, 1, 0, 0, 0, 0, 0},
		{opGarbage, 0x0c, 0, 0, 4, 1, 2, 3, 4, opGarbage, 0x04, 0, 5, 3, 1, 2, 3},
		{opGarbage, 0xff, 0, 5, 0}, // type 0xff once passed for a stream error: RST_STREAM on stream 0
		{opOddHeaders, 0x12, 3, 0, 1, 'x', 2, 0},
		{opData, 0x04, 3, 0x04, 0x40, 0x00, opWindowUpdate, 0, 0x80, 0, 0, 0},
		{opHeaders, 0x07, 3, 1, opPause, 41},
	}
	for _, capture := range captureClientTraffic(f) {
		seeds = append(seeds, rawOps(capture))
	}
	return seeds
}

// rawOps is a script of raw ops that writes b, cut at frame boundaries.
func rawOps(b []byte) []byte {
	var script []byte
	for len(b) > 0 {
		n := 0
		for n+9 <= len(b) {
			size := 9 + (int(b[n])<<16 | int(b[n+1])<<8 | int(b[n+2]))
			if n > 0 && n+size > 4095 {
				break
			}
			n += size
		}
		n = min(max(n, 1), len(b), 4095)
		script = append(script, opRaw, byte(n/16), byte(n%16))
		script = append(script, b[:n]...)
		b = b[n:]
	}
	return script
}

// captureClientTraffic makes real calls with a Channel and returns what it wrote to each
// connection, after the client preface.
func captureClientTraffic(f *testing.F) [][]byte {
	n := newMemNet()
	srv := actorrpc.NewServer(actorrpc.WithActorSystem(actors.NewSystem()), actorrpc.WithLogger(slog.New(slog.DiscardHandler)))
	hellopb.RegisterHelloServiceServer(srv, helloServer{fn: echo})
	srv.RegisterService(&numbersDesc, defaultNumbers())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(n.listen()) }()
	var mu sync.Mutex
	var conns []*bytes.Buffer
	ch, err := actorrpc.Dial("mem:443", actorrpc.WithActorSystem(actors.NewSystem()), actorrpc.WithLogger(slog.New(slog.DiscardHandler)),
		actorrpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			nc, err := n.Dial(ctx, addr)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			defer mu.Unlock()
			conns = append(conns, new(bytes.Buffer))
			return &recordConn{Conn: nc, w: conns[len(conns)-1], mu: &mu}, nil
		}))
	require.NoError(f, err)
	ctx, cancel := context.WithTimeout(context.Background(), rawh2.DefaultTimeout)
	defer cancel()
	_, err = hellopb.NewHelloServiceClient(ch).SayHello(ctx, &hellopb.HelloRequest{Greeting: "seed"})
	require.NoError(f, err)
	cs, err := ch.NewStream(ctx, &numbersDesc.Streams[2], "/test.Numbers/Echo")
	require.NoError(f, err)
	s := &actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.Int32Value]{ClientStream: cs}
	for i := range int32(2) {
		require.NoError(f, s.Send(wrapperspb.Int32(i)))
		_, err := s.Recv()
		require.NoError(f, err)
	}
	require.NoError(f, s.CloseSend())
	_, err = s.Recv()
	require.ErrorIs(f, err, io.EOF)
	require.NoError(f, ch.Close())
	srv.Stop()
	<-served
	mu.Lock()
	defer mu.Unlock()
	var out [][]byte
	for _, b := range conns {
		out = append(out, bytes.TrimPrefix(b.Bytes(), []byte(http2.ClientPreface)))
	}
	return out
}

// recordConn copies what is written to a connection.
type recordConn struct {
	net.Conn
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (c *recordConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.w.Write(b)
	c.mu.Unlock()
	return c.Conn.Write(b)
}
