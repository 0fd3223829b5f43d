package hellopb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// registrar records what the generated Register functions pass to it.
type registrar struct {
	desc *actorrpc.ServiceDesc
	impl any
	pid  *actor.PID
}

func (r *registrar) RegisterService(desc *actorrpc.ServiceDesc, impl any) {
	r.desc, r.impl = desc, impl
}

func (r *registrar) RegisterActorService(desc *actorrpc.ServiceDesc, pid *actor.PID) {
	r.desc, r.pid = desc, pid
}

var _ actorrpc.ServiceRegistrar = (*registrar)(nil)

// conn answers every call with a greeting, or with err if set, and records the method.
type conn struct {
	method string
	err    error
}

func (c *conn) Invoke(_ context.Context, method string, req, resp proto.Message, _ ...actorrpc.CallOption) error {
	c.method = method
	if c.err != nil {
		return c.err
	}
	resp.(*hellopb.HelloResponse).Reply = "hello " + req.(*hellopb.HelloRequest).GetGreeting()
	return nil
}

func (c *conn) StartUnary(ctx context.Context, method string, req, resp proto.Message, done func(error), opts ...actorrpc.CallOption) {
	done(c.Invoke(ctx, method, req, resp, opts...))
}

func (c *conn) ActorSystem() *actor.ActorSystem { return nil }

func (c *conn) NewStream(_ context.Context, _ *actorrpc.StreamDesc, method string, _ ...actorrpc.CallOption) (actorrpc.ClientStream, error) {
	c.method = method
	return nil, c.err
}

func (c *conn) StartStream(_ context.Context, _ *actorrpc.StreamDesc, method string, _ *actor.PID, _ func() proto.Message, _ ...actorrpc.CallOption) (*actorrpc.StreamRef, error) {
	c.method = method
	return nil, c.err
}

var _ actorrpc.ClientConnInterface = (*conn)(nil)

// server returns resp and err from SayHello.
type server struct {
	hellopb.UnimplementedHelloServiceServer
	resp *hellopb.HelloResponse
	err  error
}

func (s *server) SayHello(context.Context, *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	return s.resp, s.err
}

func TestClient(t *testing.T) {
	t.Parallel()
	cc := &conn{}
	client := hellopb.NewHelloServiceClient(cc)

	resp, err := client.SayHello(t.Context(), &hellopb.HelloRequest{Greeting: "bob"})
	require.NoError(t, err)
	assert.Equal(t, "hello bob", resp.GetReply())
	assert.Equal(t, "/helloworld.HelloService/SayHello", cc.method)

	resp, err = client.SayHelloAsync(t.Context(), &hellopb.HelloRequest{Greeting: "ann"}).Await(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "hello ann", resp.GetReply())

	cc.err = actorrpc.Errorf(actorrpc.NotFound, "no one")
	resp, err = client.SayHello(t.Context(), &hellopb.HelloRequest{})
	assert.Nil(t, resp)
	assert.Equal(t, actorrpc.NotFound, actorrpc.CodeOf(err))
}

func TestServiceDesc(t *testing.T) {
	t.Parallel()
	desc := &hellopb.HelloService_ServiceDesc
	assert.Equal(t, "helloworld.HelloService", desc.ServiceName)
	assert.Equal(t, "hello.proto", desc.Metadata)
	require.Len(t, desc.Methods, 1)
	assert.Equal(t, "SayHello", desc.Methods[0].MethodName)
	assert.IsType(t, &hellopb.HelloRequest{}, desc.Methods[0].NewRequest())
}

func TestHandler(t *testing.T) {
	t.Parallel()
	failed := errors.New("failed")
	tests := []struct {
		name    string
		srv     hellopb.HelloServiceServer
		want    proto.Message
		wantErr error
	}{
		{name: "response", srv: &server{resp: &hellopb.HelloResponse{Reply: "hi"}}, want: &hellopb.HelloResponse{Reply: "hi"}},
		{name: "nil response", srv: &server{err: failed}, want: nil, wantErr: failed},
		{name: "nil response and nil error", srv: &server{}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r registrar
			hellopb.RegisterHelloServiceServer(&r, tt.srv)
			require.Same(t, &hellopb.HelloService_ServiceDesc, r.desc)

			got, err := r.desc.Methods[0].Handler(r.impl, t.Context(), &hellopb.HelloRequest{})
			assert.ErrorIs(t, err, tt.wantErr)
			if tt.want == nil {
				// A typed nil in the interface would be a non-nil proto.Message.
				assert.True(t, got == nil, "got %#v; want a nil proto.Message", got)
				return
			}
			assert.True(t, proto.Equal(tt.want, got), "got %v; want %v", got, tt.want)
		})
	}
}

func TestUnimplemented(t *testing.T) {
	t.Parallel()
	var r registrar
	hellopb.RegisterHelloServiceServer(&r, struct {
		hellopb.UnimplementedHelloServiceServer
	}{})
	got, err := r.desc.Methods[0].Handler(r.impl, t.Context(), &hellopb.HelloRequest{})
	assert.True(t, got == nil, "got %#v; want a nil proto.Message", got)
	assert.Equal(t, actorrpc.Unimplemented, actorrpc.CodeOf(err))
	assert.Contains(t, err.Error(), "method SayHello not implemented")
}

func TestRegisterPanicsOnNilEmbeddedPointer(t *testing.T) {
	t.Parallel()
	type byPointer struct {
		*hellopb.UnimplementedHelloServiceServer
	}
	assert.Panics(t, func() { hellopb.RegisterHelloServiceServer(&registrar{}, byPointer{}) })
}

func TestRegisterActor(t *testing.T) {
	t.Parallel()
	var r registrar
	pid := actor.NewPID("local", "greeter")
	hellopb.RegisterHelloServiceActor(&r, pid)
	assert.Same(t, &hellopb.HelloService_ServiceDesc, r.desc)
	assert.Same(t, pid, r.pid)
}
