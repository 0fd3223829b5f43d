package actorrpc_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// fuzzCallDeadline is the deadline of the calls FuzzClientConn makes.
const fuzzCallDeadline = 10 * time.Second

// FuzzClientConn answers a Channel's calls (two unary, a bidi and a server stream) with a
// fake server that writes a valid SETTINGS, then a frame script (fuzz_script_ext_test.go).
// Whatever the script, every call ends with one status by its deadline (a stream's later
// Recv gives the same status), no actor fails, and after Channel.Close no goroutine is left.
//
//	go test -run '^$' -fuzz FuzzClientConn -fuzztime 3m .
func FuzzClientConn(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		{opHeaders, 0x00, 3, 0, opData, 0x00, 0, 2, 3, 'a', 'b', 'c', opHeaders, 0x01, 0, 0},
		{opHeaders, 0x02, 3, 0, opRSTStream, 0x0b, 8, opGoAway, 0, 0, 0, 0, 3, 0},
		{opSettings, 0x04, 4, 0, 0, 0, 0, 0, opPing, 0, 1, 2, 3, 4, 5, 6, 7, 8, opWindowUpdate, 5, 0, 1, 0, 0},
		{opGarbage, 0x05, 0, 3, 4, 0, 0, 0, 2, opContinuation, 0x01, 3, 2, 'x', 'y'},
		{opOddHeaders, 0x10, 3, 2, 1, 'x', opPause, 41, opData, 0x01, 11, 0x08},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(t, "FuzzClientConn")()
		bubble(t, func(t *testing.T) { clientConnCase(t, data) })
	})
}

// callOutcome is how one call of FuzzClientConn ended.
type callOutcome struct {
	name string
	err  error
	late bool // Recv after the end gave another status
}

func clientConnCase(t *testing.T, data []byte) {
	n := newMemNet()
	lis := n.listen()
	system := actors.NewSystem()
	failures := watchFailures(system)
	ch, err := actorrpc.Dial("mem:443", actorrpc.WithActorSystem(system), actorrpc.WithContextDialer(n.Dial),
		actorrpc.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), fuzzCallDeadline)
	defer cancel()

	var wg sync.WaitGroup
	var ended atomic.Int32
	outcomes := make(chan callOutcome, 4)
	call := func(name string, fn func() (error, bool)) {
		wg.Go(func() {
			err, late := fn()
			ended.Add(1)
			outcomes <- callOutcome{name: name, err: err, late: late}
		})
	}
	for _, name := range []string{"unary 1", "unary 2"} {
		call(name, func() (error, bool) {
			resp, err := hellopb.NewHelloServiceClient(ch).SayHello(ctx, &hellopb.HelloRequest{Greeting: name})
			if err == nil && resp == nil {
				return errors.New("no error and no response"), true
			}
			return err, false
		})
	}
	call("bidi", func() (error, bool) {
		cs, err := ch.NewStream(ctx, &numbersDesc.Streams[2], "/test.Numbers/Echo")
		if err != nil {
			return err, false
		}
		s := &actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.Int32Value]{ClientStream: cs}
		_ = s.Send(wrapperspb.Int32(1))
		_ = s.Send(wrapperspb.Int32(2))
		_ = s.CloseSend()
		return recvAll(func() error { _, err := s.Recv(); return err })
	})
	call("server stream", func() (error, bool) {
		cs, err := ch.NewStream(ctx, &numbersDesc.Streams[0], "/test.Numbers/Count")
		if err != nil {
			return err, false
		}
		s := &actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.Int32Value]{ClientStream: cs}
		if err := s.Send(wrapperspb.Int32(3)); err == nil {
			_ = s.CloseSend()
		}
		return recvAll(func() error { _, err := s.Recv(); return err })
	})

	nc, err := lis.Accept()
	require.NoError(t, err)
	n.fail(errors.New("fuzz: the fake server takes one connection"))
	_ = lis.Close()
	require.NoError(t, nc.SetReadDeadline(time.Now().Add(time.Second)))
	preface := make([]byte, len(http2.ClientPreface))
	_, err = io.ReadFull(nc, preface)
	require.NoError(t, err)
	require.NoError(t, nc.SetReadDeadline(time.Time{}))
	log := startFrameLog(nc)
	w := newScriptWriter(nc, false)
	w.write(func() error {
		return w.fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100})
	})
	synctest.Wait()
	in := &fuzzInput{b: data}
	for w.step(in) {
	}
	synctest.Wait()
	if left := time.Until(deadlineOf(ctx)); left > 0 {
		time.Sleep(left)
	}
	time.Sleep(time.Millisecond)
	synctest.Wait()
	if got := ended.Load(); got != 4 {
		t.Errorf("%d of 4 calls still running past their deadline", 4-got)
	}
	log.mu.Lock()
	if log.bad != nil {
		t.Errorf("the client sent a malformed frame: %v", log.bad)
	}
	log.mu.Unlock()
	_ = nc.Close()
	wg.Wait()
	close(outcomes)
	for o := range outcomes {
		if o.late {
			t.Errorf("%s: got %v, then another status; want one status", o.name, o.err)
		}
		// A grpc-status past 16 from the server is passed on as is (found by this
		// target; grpc-go does the same), so any code is accepted here.
	}
	require.NoError(t, ch.Close())
	<-log.done
	failures.check(t)
}

// deadlineOf returns ctx's deadline.
func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

// recvAll receives until an error, then once more: the stream's status must not change.
func recvAll(recv func() error) (error, bool) {
	for {
		if err := recv(); err != nil {
			again := recv()
			if errors.Is(err, io.EOF) {
				return nil, !errors.Is(again, io.EOF)
			}
			return err, actorrpc.CodeOf(again) != actorrpc.CodeOf(err)
		}
	}
}
