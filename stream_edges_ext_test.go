package actorrpc_test

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc"
)

func TestStreamEdges(t *testing.T) {
	tests := []struct {
		name string
		echo func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error
		run  func(t *testing.T, s *actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.Int32Value])
	}{
		{
			name: "trailers-only: the handler fails before sending anything",
			echo: func(actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
				return actorrpc.Errorf(actorrpc.PermissionDenied, "not you")
			},
			run: func(t *testing.T, s *actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.Int32Value]) {
				_, err := s.Recv()
				st := actorrpc.StatusOf(err)
				assert.Equal(t, actorrpc.PermissionDenied, st.Code())
				assert.Equal(t, "not you", st.Message())
				// As grpc-go: a call that ended without headers reports its status from Header.
				header, err := s.Header()
				assert.Equal(t, actorrpc.PermissionDenied, actorrpc.CodeOf(err))
				assert.Empty(t, header)
			},
		},
		{
			name: "the server ends OK before the client half-closes",
			echo: func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
				return s.Send(wrapperspb.Int32(1))
			},
			run: func(t *testing.T, s *actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.Int32Value]) {
				v, err := s.Recv()
				require.NoError(t, err)
				assert.Equal(t, int32(1), v.GetValue())
				_, err = s.Recv()
				assert.Equal(t, io.EOF, err)
				assert.Equal(t, io.EOF, s.Send(wrapperspb.Int32(2)), "Send after the end says io.EOF, as grpc-go")
			},
		},
		{
			name: "the client half-closes before the server answers",
			echo: func(s actorrpc.BidiStreamingServer[wrapperspb.Int32Value, wrapperspb.Int32Value]) error {
				var n int32
				for {
					_, err := s.Recv()
					if err == io.EOF {
						return s.Send(wrapperspb.Int32(n))
					}
					if err != nil {
						return err
					}
					n++
				}
			},
			run: func(t *testing.T, s *actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.Int32Value]) {
				for range 5 {
					require.NoError(t, s.Send(wrapperspb.Int32(0)))
				}
				require.NoError(t, s.CloseSend())
				v, err := s.Recv()
				require.NoError(t, err)
				assert.Equal(t, int32(5), v.GetValue())
				_, err = s.Recv()
				assert.Equal(t, io.EOF, err)
			},
		},
		{
			name: "an empty stream",
			echo: defaultNumbers().echo,
			run: func(t *testing.T, s *actorrpc.GenericClientStream[wrapperspb.Int32Value, wrapperspb.Int32Value]) {
				require.NoError(t, s.CloseSend())
				_, err := s.Recv()
				assert.Equal(t, io.EOF, err)
				_, err = s.Recv()
				assert.Equal(t, io.EOF, err, "Recv after the end keeps saying io.EOF")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			impl := defaultNumbers()
			impl.echo = tt.echo
			e := newStreamEnv(t, impl)
			tt.run(t, e.open(t, testCtx(t), "Echo"))
		})
	}
}
