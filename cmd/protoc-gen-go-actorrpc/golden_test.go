package main

//go:generate sh testdata/gen.sh

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestGolden runs the plugin in-process on descriptors that testdata/gen.sh compiled
// with protoc, and compares its response with testdata/<name>.golden.
func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		descriptors string // testdata/<descriptors>.binpb
		file        string // the .proto file to generate
		param       string
	}{
		{name: "hello", descriptors: "hello", file: "hello.proto"},
		{name: "chat", descriptors: "chat", file: "chat.proto"},
		{name: "streaming", descriptors: "streaming", file: "streaming.proto"},
		{name: "streaming_skip", descriptors: "streaming", file: "streaming.proto", param: "skip_streaming=true"},
		{
			name: "imports", descriptors: "imports", file: "imports.proto",
			param: "paths=source_relative,Mimports.proto=example.com/imports;importspb",
		},
		{name: "collide", descriptors: "collide", file: "collide/collide.proto"},
		{name: "comments", descriptors: "comments", file: "comments.proto"},
		{name: "nosvc", descriptors: "nosvc", file: "nosvc.proto"},
		{name: "bad_param", descriptors: "hello", file: "hello.proto", param: "no_such_option=1"},
		{name: "bad_bool", descriptors: "hello", file: "hello.proto", param: "skip_streaming=maybe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := request(t, tt.descriptors, tt.file, tt.param)
			got := render(runPlugin(req))
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create it")
			assert.Equal(t, string(want), got, "got the response on the left; want %s", golden)
		})
	}
}

// TestStreamingErrorNamesMethod checks the exact error for one streaming method.
func TestStreamingMethodsAreGenerated(t *testing.T) {
	t.Parallel()
	resp := runPlugin(request(t, "chat", "chat.proto", ""))
	require.Empty(t, resp.GetError())
	require.Len(t, resp.GetFile(), 1)
	content := resp.GetFile()[0].GetContent()
	for _, want := range []string{
		"Chat(ctx context.Context, opts ...actorrpc.CallOption) (actorrpc.BidiStreamingClient[",
		"ChatActor(ctx context.Context, pid *actor.PID, opts ...actorrpc.CallOption) (*actorrpc.StreamRef, error)",
		"Streams: []actorrpc.StreamDesc{",
	} {
		assert.Contains(t, content, want)
	}
}

// TestOnlyRequestedFiles checks that imported files get no output of their own.
func TestOnlyRequestedFiles(t *testing.T) {
	t.Parallel()
	resp := runPlugin(request(t, "collide", "collide/collide.proto", ""))
	require.Empty(t, resp.GetError())
	require.Len(t, resp.GetFile(), 1)
	assert.Equal(t, "example.com/collide/collide_actorrpc.pb.go", resp.GetFile()[0].GetName())
}

// request builds the CodeGeneratorRequest protoc would send for file, from the
// FileDescriptorSet in testdata/<descriptors>.binpb.
func request(t *testing.T, descriptors, file, param string) *pluginpb.CodeGeneratorRequest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", descriptors+".binpb"))
	require.NoError(t, err)
	var set descriptorpb.FileDescriptorSet
	require.NoError(t, proto.Unmarshal(b, &set))
	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{file},
		ProtoFile:      set.GetFile(), // protoc lists dependencies first, as the request must
		CompilerVersion: &pluginpb.Version{
			Major: proto.Int32(3), Minor: proto.Int32(21), Patch: proto.Int32(12),
		},
	}
	if param != "" {
		req.Parameter = proto.String(param)
	}
	return req
}

// runPlugin does what main does, on req instead of standard input.
func runPlugin(req *pluginpb.CodeGeneratorRequest) *pluginpb.CodeGeneratorResponse {
	var p params
	gen, err := protogen.Options{ParamFunc: p.setter()}.New(req)
	if err != nil {
		// protogen.Options.Run exits on this error; report it like a response error.
		return &pluginpb.CodeGeneratorResponse{Error: proto.String(pluginName + ": " + err.Error())}
	}
	generate(gen, p)
	return gen.Response()
}

// render formats a response as the golden files hold it: each file as "-- name --"
// followed by its content, or "-- error --" followed by the error.
func render(resp *pluginpb.CodeGeneratorResponse) string {
	var b strings.Builder
	if resp.Error != nil {
		b.WriteString("-- error --\n" + resp.GetError() + "\n")
	}
	for _, f := range resp.GetFile() {
		b.WriteString("-- " + f.GetName() + " --\n" + f.GetContent())
	}
	return b.String()
}
