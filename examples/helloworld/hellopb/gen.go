package hellopb

// Regenerate hello.pb.go and hello_actorrpc.pb.go. Needs protoc and protoc-gen-go v1.36.12
// on PATH; the actorrpc plugin is built from this repository.
//go:generate go build -o protoc-gen-go-actorrpc ../../../cmd/protoc-gen-go-actorrpc
//go:generate protoc -I . --go_out=. --go_opt=paths=source_relative --plugin=protoc-gen-go-actorrpc=protoc-gen-go-actorrpc --go-actorrpc_out=. --go-actorrpc_opt=paths=source_relative hello.proto
//go:generate rm protoc-gen-go-actorrpc
