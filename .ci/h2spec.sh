#!/usr/bin/env bash
# h2spec: the HTTP/2 conformance of actorrpc's server. Installs h2spec through the Go module
# proxy, serves cmd/h2spec-server (a trivial gRPC service, plaintext h2c) on a local port,
# runs h2spec's generic and http2 cases against it, and prints the failures and the summary.
# It does not fail on h2spec's results (yet): it exits non-zero only if it cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
srv=""
cleanup() {
  if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

GOBIN="$work" go install github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible
go build -o "$work/h2spec-server" ./cmd/h2spec-server

port="${H2SPEC_PORT:-18443}"
"$work/h2spec-server" --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
srv=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/server.log" && break
  kill -0 "$srv" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done

# h2spec sends its requests to -P; a gRPC method path lets the protocol cases reach a
# real method (without a gRPC content-type they are answered 415 as Trailers-Only).
"$work/h2spec" -h 127.0.0.1 -p "$port" -P /helloworld.HelloService/SayHello -o 2 >"$work/h2spec.out" 2>&1 || true
sed -n '/^Failures:/,$p' "$work/h2spec.out"
summary="$(grep -E '^[0-9]+ tests, ' "$work/h2spec.out" || true)"
if [ -z "$summary" ]; then
  cat "$work/h2spec.out"; exit 1
fi
echo "== h2spec: $summary"
