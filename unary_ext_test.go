package actorrpc_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

func TestUnaryRoundTrip(t *testing.T) {
	e := newEnv(t, echo, nil)
	tests := []struct{ name, want string }{
		{"world", "Hello, world!"},
		{"", "Hello, !"},
		{strings.Repeat("x", 100_000), "Hello, " + strings.Repeat("x", 100_000) + "!"},
		{strings.Repeat("y", 4<<20-100), "Hello, " + strings.Repeat("y", 4<<20-100) + "!"},
	}
	for _, tt := range tests {
		t.Run(strings.Clone(tt.name[:min(len(tt.name), 10)]), func(t *testing.T) {
			resp, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: tt.name})
			require.NoError(t, err)
			assert.Equal(t, tt.want, resp.GetReply())
		})
	}
}

func TestConcurrentCallsShareOneConnection(t *testing.T) {
	e := newEnv(t, echo, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := strings.Repeat("n", i)
			resp, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: name})
			if err == nil && resp.GetReply() != "Hello, "+name+"!" {
				err = actorrpc.Errorf(actorrpc.Internal, "got %q", resp.GetReply())
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, actorrpc.Ready, e.ch.State())
}

func TestStatusFromHandler(t *testing.T) {
	detail := wrapperspb.String("field name is bad")
	e := newEnv(t, func(_ context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		switch req.GetGreeting() {
		case "notfound":
			return nil, actorrpc.Errorf(actorrpc.NotFound, "no user %q", "bob")
		case "details":
			st, err := actorrpc.NewStatus(actorrpc.InvalidArgument, "bad request").WithDetails(detail)
			if err != nil {
				return nil, err
			}
			return nil, st.Err()
		case "plain":
			return nil, context.Canceled
		case "special":
			return nil, actorrpc.Errorf(actorrpc.Unknown, "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n")
		}
		return nil, nil
	}, nil)
	tests := []struct {
		name string
		code actorrpc.Code
		msg  string
	}{
		{"notfound", actorrpc.NotFound, `no user "bob"`},
		{"details", actorrpc.InvalidArgument, "bad request"},
		{"plain", actorrpc.Canceled, "context canceled"},
		{"special", actorrpc.Unknown, "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"},
		{"nil", actorrpc.Internal, "grpc: handler returned neither a response nor an error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: tt.name})
			st := actorrpc.StatusOf(err)
			assert.Equal(t, tt.code, st.Code(), "got %v; want %v", st.Code(), tt.code)
			assert.Equal(t, tt.msg, st.Message())
		})
	}
	t.Run("details arrive", func(t *testing.T) {
		_, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "details"})
		details := actorrpc.StatusOf(err).Details()
		require.Len(t, details, 1)
		got := new(wrapperspb.StringValue)
		require.NoError(t, details[0].UnmarshalTo(got))
		assert.Equal(t, detail.GetValue(), got.GetValue())
	})
}

func TestMetadataRoundTrip(t *testing.T) {
	binary := string([]byte{0, 1, 2, 0xfe, 0xff})
	var incoming actorrpc.Metadata
	e := newEnv(t, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		incoming = actorrpc.Incoming(ctx)
		if err := actorrpc.SetHeader(ctx, actorrpc.Pairs("h", "header-value", "h-bin", binary)); err != nil {
			return nil, err
		}
		if err := actorrpc.SetTrailer(ctx, actorrpc.Pairs("t", "trailer-value", "t-bin", binary)); err != nil {
			return nil, err
		}
		if req.GetGreeting() == "fail" {
			return nil, actorrpc.Errorf(actorrpc.Aborted, "failing with metadata")
		}
		return echo(ctx, req)
	}, nil)
	for _, name := range []string{"ok", "fail"} {
		t.Run(name, func(t *testing.T) {
			ctx := actorrpc.AppendOutgoing(testCtx(t), "k", "v1", "k", "v2", "k-bin", binary)
			var header, trailer actorrpc.Metadata
			_, err := e.client.SayHello(ctx, &hellopb.HelloRequest{Greeting: name}, actorrpc.Header(&header), actorrpc.Trailer(&trailer))
			if name == "fail" {
				require.Equal(t, actorrpc.Aborted, actorrpc.CodeOf(err))
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, []string{"v1", "v2"}, incoming["k"])
			assert.Equal(t, []string{binary}, incoming["k-bin"])
			assert.Equal(t, []string{"header-value"}, header["h"])
			assert.Equal(t, []string{binary}, header["h-bin"])
			assert.Equal(t, []string{"trailer-value"}, trailer["t"])
			assert.Equal(t, []string{binary}, trailer["t-bin"])
		})
	}
}

func TestSendHeaderBeforeResponse(t *testing.T) {
	e := newEnv(t, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		require.NoError(t, actorrpc.SendHeader(ctx, actorrpc.Pairs("early", "yes")))
		assert.Error(t, actorrpc.SetHeader(ctx, actorrpc.Pairs("late", "no")))
		return echo(ctx, req)
	}, nil)
	var header actorrpc.Metadata
	_, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: "x"}, actorrpc.Header(&header))
	require.NoError(t, err)
	assert.Equal(t, []string{"yes"}, header["early"])
	assert.Empty(t, header["late"])
}

func TestMessageSizeLimits(t *testing.T) {
	e := newEnv(t, echo, []actorrpc.ServerOption{actorrpc.WithMaxRecvMsgSize(1024)}, actorrpc.WithMaxRecvMsgSize(2048))
	tests := []struct {
		name string
		size int
		opts []actorrpc.CallOption
		code actorrpc.Code
	}{
		{"fits", 500, nil, actorrpc.OK},
		{"request over server limit", 2000, nil, actorrpc.ResourceExhausted},
		{"request over call send limit", 600, []actorrpc.CallOption{actorrpc.MaxCallSendMsgSize(100)}, actorrpc.ResourceExhausted},
		{"response over call recv limit", 600, []actorrpc.CallOption{actorrpc.MaxCallRecvMsgSize(100)}, actorrpc.ResourceExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.SayHello(testCtx(t), &hellopb.HelloRequest{Greeting: strings.Repeat("a", tt.size)}, tt.opts...)
			assert.Equal(t, tt.code, actorrpc.CodeOf(err), "got %v", err)
		})
	}
}

func TestUnimplemented(t *testing.T) {
	e := newEnv(t, echo, nil)
	tests := []struct{ method, msg string }{
		{"/helloworld.HelloService/Nope", "unknown method Nope for service helloworld.HelloService"},
		{"/nope.Service/SayHello", "unknown service nope.Service"},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			err := e.ch.Invoke(testCtx(t), tt.method, &hellopb.HelloRequest{}, &hellopb.HelloResponse{})
			st := actorrpc.StatusOf(err)
			assert.Equal(t, actorrpc.Unimplemented, st.Code())
			assert.Equal(t, tt.msg, st.Message())
		})
	}
}

func TestDeadlineOnBothSides(t *testing.T) {
	type seen struct {
		remaining time.Duration
		hasDL     bool
		err       error
	}
	handlerSaw := make(chan seen, 1)
	e := newEnv(t, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		rem, ok := actorrpc.RemainingTime(ctx)
		<-ctx.Done()
		handlerSaw <- seen{rem, ok, ctx.Err()}
		return nil, ctx.Err()
	}, nil)
	ctx, cancel := context.WithTimeout(testCtx(t), 200*time.Millisecond)
	defer cancel()
	_, err := e.client.SayHello(ctx, &hellopb.HelloRequest{Greeting: "slow"})
	assert.Equal(t, actorrpc.DeadlineExceeded, actorrpc.CodeOf(err), "got %v", err)
	s := <-handlerSaw
	assert.True(t, s.hasDL, "the handler's ctx has a deadline from grpc-timeout")
	assert.Greater(t, s.remaining, time.Duration(0))
	assert.LessOrEqual(t, s.remaining, 200*time.Millisecond)
	assert.Error(t, s.err)
}

func TestCancellationReachesHandler(t *testing.T) {
	started := make(chan struct{})
	handlerErr := make(chan error, 1)
	e := newEnv(t, func(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
		close(started)
		<-ctx.Done()
		handlerErr <- ctx.Err()
		return nil, ctx.Err()
	}, nil)
	ctx, cancel := context.WithCancel(testCtx(t))
	go func() {
		<-started
		cancel()
	}()
	_, err := e.client.SayHello(ctx, &hellopb.HelloRequest{Greeting: "cancel me"})
	assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err), "got %v", err)
	assert.ErrorIs(t, <-handlerErr, context.Canceled)
}

func TestAlreadyDoneContext(t *testing.T) {
	e := newEnv(t, echo, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.client.SayHello(ctx, &hellopb.HelloRequest{})
	assert.Equal(t, actorrpc.Canceled, actorrpc.CodeOf(err))
	dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer dcancel()
	_, err = e.client.SayHello(dctx, &hellopb.HelloRequest{})
	assert.Equal(t, actorrpc.DeadlineExceeded, actorrpc.CodeOf(err))
}
