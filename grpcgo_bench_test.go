package actorrpc_test

import (
	"context"
	"errors"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/actorrpc/actorrpc/internal/interop/testpb"
)

// grpc-go serving and calling the benchmarks' TestService methods, as the baseline next
// to actorrpc in the in-process benchmarks. The service is described by hand with
// testpb's messages (grpc-go's proto codec takes any proto.Message), so that no second
// generated copy of grpc/testing/*.proto is linked into this test binary. grpc-go is a
// test-only dependency here.

// grpcGoStreams are the streaming methods, in benchGRPCGoDesc.Streams order.
var grpcGoStreams = struct{ input, output, duplex grpc.StreamDesc }{
	input:  grpc.StreamDesc{StreamName: "StreamingInputCall", ClientStreams: true},
	output: grpc.StreamDesc{StreamName: "StreamingOutputCall", ServerStreams: true},
	duplex: grpc.StreamDesc{StreamName: "FullDuplexCall", ClientStreams: true, ServerStreams: true},
}

var benchGRPCGoDesc = grpc.ServiceDesc{
	ServiceName: "grpc.testing.TestService",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "UnaryCall",
		Handler: func(_ any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			req := new(testpb.SimpleRequest)
			if err := dec(req); err != nil {
				return nil, err
			}
			return benchUnary(req), nil
		},
	}},
	Streams: []grpc.StreamDesc{
		withHandler(grpcGoStreams.input, func(_ any, s grpc.ServerStream) error {
			return benchServeInput(grpcGoServerStream{s})
		}),
		withHandler(grpcGoStreams.output, func(_ any, s grpc.ServerStream) error {
			req := new(testpb.StreamingOutputCallRequest)
			if err := s.RecvMsg(req); err != nil {
				return err
			}
			return benchServeOutput(req, grpcGoServerStream{s})
		}),
		withHandler(grpcGoStreams.duplex, func(_ any, s grpc.ServerStream) error {
			return benchServeDuplex(grpcGoServerStream{s})
		}),
	},
}

func withHandler(d grpc.StreamDesc, h grpc.StreamHandler) grpc.StreamDesc {
	d.Handler = h
	return d
}

type grpcGoServerStream struct{ s grpc.ServerStream }

func (g grpcGoServerStream) send(m proto.Message) error { return g.s.SendMsg(m) }
func (g grpcGoServerStream) recv(m proto.Message) error { return g.s.RecvMsg(m) }

type grpcGoClientStream struct{ s grpc.ClientStream }

func (g grpcGoClientStream) send(m proto.Message) error { return g.s.SendMsg(m) }
func (g grpcGoClientStream) recv(m proto.Message) error { return g.s.RecvMsg(m) }
func (g grpcGoClientStream) closeSend() error           { return g.s.CloseSend() }

// grpcGoLoopback is a grpc-go server (default options) and one ClientConn to it.
type grpcGoLoopback struct {
	srv    *grpc.Server
	cc     *grpc.ClientConn
	served chan error
}

var _ benchConn = (*grpcGoLoopback)(nil)

func startGRPCGoLoopback() (benchConn, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &grpcGoLoopback{srv: grpc.NewServer(), served: make(chan error, 1)}
	l.srv.RegisterService(&benchGRPCGoDesc, struct{}{})
	go func() { l.served <- l.srv.Serve(lis) }()
	if l.cc, err = grpc.NewClient("passthrough:///"+lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
		return nil, errors.Join(err, l.stopServer())
	}
	return l, nil
}

func (l *grpcGoLoopback) unary(ctx context.Context, req *testpb.SimpleRequest, resp *testpb.SimpleResponse) error {
	return l.cc.Invoke(ctx, testpb.TestService_UnaryCall_FullMethodName, req, resp)
}

func (l *grpcGoLoopback) stream(ctx context.Context, d *grpc.StreamDesc) (grpcGoClientStream, error) {
	s, err := l.cc.NewStream(ctx, d, "/"+benchGRPCGoDesc.ServiceName+"/"+d.StreamName)
	return grpcGoClientStream{s}, err
}

func (l *grpcGoLoopback) streamingInput(ctx context.Context) (benchClientStream, error) {
	return l.stream(ctx, &grpcGoStreams.input)
}

func (l *grpcGoLoopback) streamingOutput(ctx context.Context, req *testpb.StreamingOutputCallRequest) (benchClientStream, error) {
	s, err := l.stream(ctx, &grpcGoStreams.output)
	if err != nil {
		return nil, err
	}
	if err := s.send(req); err != nil {
		return nil, err
	}
	return s, s.closeSend()
}

func (l *grpcGoLoopback) fullDuplex(ctx context.Context) (benchClientStream, error) {
	return l.stream(ctx, &grpcGoStreams.duplex)
}

func (l *grpcGoLoopback) stopServer() error {
	l.srv.Stop()
	if err := <-l.served; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

func (l *grpcGoLoopback) close() error {
	return errors.Join(l.cc.Close(), l.stopServer())
}
