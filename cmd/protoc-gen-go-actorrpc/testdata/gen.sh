#!/bin/sh
# Compiles the test .proto files into the FileDescriptorSets that golden_test.go reads,
# so the tests need no protoc. Run from the plugin's directory: go generate.
set -eu
cd testdata
for f in hello chat streaming imports collide/collide comments nosvc; do
	protoc -I proto --include_imports --include_source_info \
		--descriptor_set_out="$(basename "$f").binpb" "proto/$f.proto"
done
