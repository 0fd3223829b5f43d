package harness

import (
	"context"
	"errors"
	"io"
	"testing"
)

// fakeStream answers Recv from a queue and records Send; it stands for both runtimes'
// streams in these tests.
type fakeStream struct {
	in   []int
	sent []int
	err  error // returned by Send once set
}

func (f *fakeStream) Recv() (*int, error) {
	if len(f.in) == 0 {
		return nil, io.EOF
	}
	v := f.in[0]
	f.in = f.in[1:]
	return &v, nil
}

func (f *fakeStream) Send(v *int) error {
	if f.err != nil {
		return f.err
	}
	f.sent = append(f.sent, *v)
	return nil
}

func TestServePingPongAnswersEachRequestUntilEOF(t *testing.T) {
	s := &fakeStream{in: []int{1, 2, 3}}
	before := served.Load()
	err := ServePingPong[int, int](s, func(v *int) *int { w := *v * 10; return &w })
	if err != nil {
		t.Fatalf("ServePingPong: %v; want nil at the client's half-close", err)
	}
	if len(s.sent) != 3 || s.sent[0] != 10 || s.sent[2] != 30 {
		t.Errorf("sent %v; want [10 20 30]", s.sent)
	}
	if n := served.Load() - before; n != 3 {
		t.Errorf("counted %d ops; want 3", n)
	}
}

func TestServeStreamSendsUntilTheCallEnds(t *testing.T) {
	ended := errors.New("stream reset by client")
	s := &fakeStream{}
	v := 7
	// The call ends after five messages.
	stopAfter := &countingStream{fakeStream: s, left: 5, err: ended}
	if err := ServeStream[int](stopAfter, &v); !errors.Is(err, ended) {
		t.Fatalf("ServeStream: %v; want the stream's error", err)
	}
	if len(s.sent) != 5 {
		t.Errorf("sent %d messages; want 5", len(s.sent))
	}
}

type countingStream struct {
	*fakeStream
	left int
	err  error
}

func (c *countingStream) Send(v *int) error {
	if c.left == 0 {
		return c.err
	}
	c.left--
	return c.fakeStream.Send(v)
}

func TestStubsNewCallerRunsOneOpOfEachKind(t *testing.T) {
	var unary, opened int
	stream := &fakeStream{in: []int{1, 2}}
	stubs := Stubs[int, int]{
		Request: func(w Workload) *int { return &w.ReqSize },
		Unary:   func(context.Context, *int) (*int, error) { unary++; return new(int), nil },
		PingPong: func(context.Context) (BidiClient[int, int], error) {
			opened++
			return stream, nil
		},
		ServerStream: func(context.Context, *int) (RecvClient[int], error) {
			opened++
			return stream, nil
		},
	}
	ctx := context.Background()
	for _, tc := range []struct {
		kind              Kind
		unary, opened, tx int
	}{
		{Unary, 1, 0, 0},
		{PingPong, 1, 1, 1},
		{ServerStream, 1, 2, 1},
	} {
		call, err := stubs.NewCaller(ctx, Workload{Name: string(tc.kind), Kind: tc.kind, ReqSize: 4})
		if err != nil {
			t.Fatalf("%s: NewCaller: %v", tc.kind, err)
		}
		if err := call(ctx); err != nil {
			t.Fatalf("%s: op: %v", tc.kind, err)
		}
		if unary != tc.unary || opened != tc.opened || len(stream.sent) != tc.tx {
			t.Errorf("%s: %d unary calls, %d streams opened, %d sent; want %d, %d, %d",
				tc.kind, unary, opened, len(stream.sent), tc.unary, tc.opened, tc.tx)
		}
	}
	if _, err := stubs.NewCaller(ctx, Workload{Name: "x", Kind: "nope"}); err == nil {
		t.Error("NewCaller accepted an unknown kind")
	}
}

func TestWorkloadsHaveUniqueNamesAndKnownKinds(t *testing.T) {
	seen := map[string]bool{}
	for _, w := range Workloads {
		if seen[w.Name] {
			t.Errorf("workload %s twice", w.Name)
		}
		seen[w.Name] = true
		switch w.Kind {
		case Unary, PingPong, ServerStream:
		default:
			t.Errorf("workload %s: unknown kind %q", w.Name, w.Kind)
		}
		if w.Callers < 1 {
			t.Errorf("workload %s: %d callers", w.Name, w.Callers)
		}
	}
}
