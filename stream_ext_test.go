package actorrpc_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/actors"
)

// numbers is a streaming test service written by hand (as generated code would be).
type numbers struct {
	count func(n *wrapperspb.Int32Value, s actorrpc.ServerStreamingServer[wrapperspb.Int32Value]) error
	sum   func(s actorrpc.ClientStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error
	echo  func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error
	flood func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.BytesValue]) error
}

var numbersDesc = actorrpc.ServiceDesc{
	ServiceName: "test.Numbers",
	Streams: []actorrpc.StreamDesc{
		{StreamName: "Count", ServerStreams: true, Handler: func(srv any, st actorrpc.ServerStream) error {
			in := new(wrapperspb.Int32Value)
			if err := st.RecvMsg(in); err != nil {
				return err
			}
			return srv.(*numbers).count(in, &actorrpc.GenericServerStream[wrapperspb.Int32Value, wrapperspb.Int32Value]{ServerStream: st})
		}, NewRequest: func() proto.Message { return new(wrapperspb.Int32Value) }},
		{StreamName: "Sum", ClientStreams: true, Handler: func(srv any, st actorrpc.ServerStream) error {
			return srv.(*numbers).sum(&actorrpc.GenericServerStream[wrapperspb.Int32Value, wrapperspb.Int32Value]{ServerStream: st})
		}, NewRequest: func() proto.Message { return new(wrapperspb.Int32Value) }},
		{StreamName: "Echo", ClientStreams: true, ServerStreams: true, Handler: func(srv any, st actorrpc.ServerStream) error {
			return srv.(*numbers).echo(&actorrpc.GenericServerStream[wrapperspb.Int32Value, wrapperspb.Int32Value]{ServerStream: st})
		}, NewRequest: func() proto.Message { return new(wrapperspb.Int32Value) }},
		{StreamName: "Flood", ClientStreams: true, ServerStreams: true, Handler: func(srv any, st actorrpc.ServerStream) error {
			return srv.(*numbers).flood(&actorrpc.GenericServerStream[wrapperspb.Int32Value, wrapperspb.BytesValue]{ServerStream: st})
		}, NewRequest: func() proto.Message { return new(wrapperspb.Int32Value) }},
	},
}

func defaultNumbers() *numbers {
	return &numbers{
		count: func(n *wrapperspb.Int32Value, s actorrpc.ServerStreamingServer[wrapperspb.Int32Value]) error {
			for i := range n.GetValue() {
				if err := s.Send(wrapperspb.Int32(i)); err != nil {
					return err
				}
			}
			return nil
		},
		sum: func(s actorrpc.ClientStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
			var total int32
			for {
				v, err := s.Recv()
				if err == io.EOF {
					return s.SendAndClose(wrapperspb.Int32(total))
				}
				if err != nil {
					return err
				}
				total += v.GetValue()
			}
		},
		echo: func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
			for {
				v, err := s.Recv()
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				if err := s.Send(v); err != nil {
					return err
				}
			}
		},
		flood: func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.BytesValue]) error {
			chunk := wrapperspb.Bytes(make([]byte, 1024))
			for {
				if err := s.Send(chunk); err != nil {
					return err
				}
			}
		},
	}
}

type streamEnv struct {
	ch  *actorrpc.Channel
	srv *actorrpc.Server
}

func newStreamEnv(t *testing.T, impl *numbers, serverOpts ...actorrpc.ServerOption) *streamEnv {
	return newStreamEnvOpts(t, impl, serverOpts)
}

func newStreamEnvOpts(t *testing.T, impl *numbers, serverOpts []actorrpc.ServerOption, dialOpts ...actorrpc.DialOption) *streamEnv {
	return newStreamEnvRegister(t, func(srv *actorrpc.Server) { srv.RegisterService(&numbersDesc, impl) }, serverOpts, dialOpts...)
}

func newStreamEnvRegister(t *testing.T, register func(*actorrpc.Server), serverOpts []actorrpc.ServerOption, dialOpts ...actorrpc.DialOption) *streamEnv {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := actorrpc.NewServer(append([]actorrpc.ServerOption{actorrpc.WithActorSystem(actors.NewSystem())}, serverOpts...)...)
	register(srv)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	ch, err := actorrpc.Dial(lis.Addr().String(), append([]actorrpc.DialOption{actorrpc.WithActorSystem(actors.NewSystem())}, dialOpts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, ch.Close())
		srv.Stop()
		if err := <-served; !errors.Is(err, actorrpc.ErrServerStopped) {
			require.NoError(t, err)
		}
	})
	return &streamEnv{ch: ch, srv: srv}
}

func (e *streamEnv) open(t *testing.T, ctx context.Context, method string) *actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.Int32Value] {
	t.Helper()
	for i := range numbersDesc.Streams {
		if numbersDesc.Streams[i].StreamName == method {
			cs, err := e.ch.NewStream(ctx, &numbersDesc.Streams[i], "/test.Numbers/"+method)
			require.NoError(t, err)
			return &actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.Int32Value]{ClientStream: cs}
		}
	}
	t.Fatalf("no method %s", method)
	return nil
}

func TestServerStreaming(t *testing.T) {
	e := newStreamEnv(t, defaultNumbers())
	for _, n := range []int32{0, 1, 10, 5000} {
		s := e.open(t, testCtx(t), "Count")
		require.NoError(t, s.Send(wrapperspb.Int32(n)))
		require.NoError(t, s.CloseSend())
		for i := range n {
			v, err := s.Recv()
			require.NoError(t, err)
			require.Equal(t, i, v.GetValue(), "messages arrive in order")
		}
		_, err := s.Recv()
		assert.Equal(t, io.EOF, err)
	}
}

func TestClientStreaming(t *testing.T) {
	e := newStreamEnv(t, defaultNumbers())
	s := e.open(t, testCtx(t), "Sum")
	var want int32
	for i := range int32(1000) {
		require.NoError(t, s.Send(wrapperspb.Int32(i)))
		want += i
	}
	got, err := s.CloseAndRecv()
	require.NoError(t, err)
	assert.Equal(t, want, got.GetValue())

	async := e.open(t, testCtx(t), "Sum")
	require.NoError(t, async.Send(wrapperspb.Int32(40)))
	require.NoError(t, async.Send(wrapperspb.Int32(2)))
	got, err = async.CloseAndRecvAsync().Await(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, int32(42), got.GetValue())
}

func TestBidiStreaming(t *testing.T) {
	e := newStreamEnv(t, defaultNumbers())
	s := e.open(t, testCtx(t), "Echo")
	done := make(chan error, 1)
	go func() {
		for i := range int32(2000) {
			if err := s.Send(wrapperspb.Int32(i)); err != nil {
				done <- err
				return
			}
		}
		done <- s.CloseSend()
	}()
	for i := range int32(2000) {
		v, err := s.Recv()
		require.NoError(t, err)
		require.Equal(t, i, v.GetValue())
	}
	_, err := s.Recv()
	assert.Equal(t, io.EOF, err)
	require.NoError(t, <-done)
}

func TestStreamStatusAndTrailers(t *testing.T) {
	impl := defaultNumbers()
	impl.count = func(n *wrapperspb.Int32Value, s actorrpc.ServerStreamingServer[wrapperspb.Int32Value]) error {
		require.NoError(t, s.SetHeader(actorrpc.Pairs("h", "1")))
		for i := range n.GetValue() {
			if err := s.Send(wrapperspb.Int32(i)); err != nil {
				return err
			}
		}
		s.SetTrailer(actorrpc.Pairs("t", "2"))
		return actorrpc.Errorf(actorrpc.Aborted, "stopped after %d", n.GetValue())
	}
	e := newStreamEnv(t, impl)
	s := e.open(t, testCtx(t), "Count")
	require.NoError(t, s.Send(wrapperspb.Int32(3)))
	require.NoError(t, s.CloseSend())
	header, err := s.Header()
	require.NoError(t, err)
	assert.Equal(t, []string{"1"}, header["h"])
	for i := range int32(3) {
		v, err := s.Recv()
		require.NoError(t, err, "queued messages come before the status")
		assert.Equal(t, i, v.GetValue())
	}
	_, err = s.Recv()
	st := actorrpc.StatusOf(err)
	assert.Equal(t, actorrpc.Aborted, st.Code())
	assert.Equal(t, "stopped after 3", st.Message())
	assert.Equal(t, []string{"2"}, s.Trailer()["t"])
}

func TestStreamCancellationReachesHandler(t *testing.T) {
	handlerErr := make(chan error, 1)
	received := make(chan struct{})
	impl := defaultNumbers()
	impl.echo = func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
		_, err := s.Recv()
		if err != nil {
			handlerErr <- err
			return err
		}
		close(received)
		<-s.Context().Done()
		_, err = s.Recv()
		handlerErr <- err
		return err
	}
	e := newStreamEnv(t, impl)
	ctx, cancel := context.WithCancel(testCtx(t))
	s := e.open(t, ctx, "Echo")
	require.NoError(t, s.Send(wrapperspb.Int32(1)))
	<-received
	cancel()
	_, err := s.Recv()
	assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err))
	assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(<-handlerErr))
}

func TestStreamDeadline(t *testing.T) {
	impl := defaultNumbers()
	impl.echo = func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
		<-s.Context().Done()
		return s.Context().Err()
	}
	e := newStreamEnv(t, impl)
	ctx, cancel := context.WithTimeout(testCtx(t), 100*time.Millisecond)
	defer cancel()
	s := e.open(t, ctx, "Echo")
	_, err := s.Recv()
	assert.Equal(t, actorrpc.DeadlineExceeded, actorrpc.CodeOf(err))
}
