#!/usr/bin/env bash
# h2spec: the HTTP/2 conformance of actorrpc's server. Installs h2spec through the Go module
# proxy, serves cmd/h2spec-server (a trivial gRPC service, plaintext h2c) on a local port,
# runs h2spec's generic and http2 cases against it, and prints the failures and the summary.
# It gates: it exits non-zero if fewer than H2SPEC_MIN_PASSED cases (default 139, what
# x/net/http2's server passes) pass, or if h2spec cannot be installed or run. Skipped cases
# do not count as passed.
#
# The server announces SETTINGS_MAX_FRAME_SIZE 1 MiB. h2spec's case 4.2/3 sends a HEADERS
# frame of about 17.5 KB whatever the server announced (summerwind/h2spec#102, #142), so
# against the default server it fails by h2spec's own mistake. A second run of section 4.2
# against a server announcing 16 KiB checks that rule, and must pass all its cases.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
srv=""
cleanup() {
  if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

min_passed="${H2SPEC_MIN_PASSED:-139}"

if ! GOBIN="$work" go install github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible; then
  echo "h2spec.sh: FAILED: cannot install h2spec v2.2.1 through the Go module proxy" >&2
  exit 1
fi
go build -o "$work/h2spec-server" ./cmd/h2spec-server

port="${H2SPEC_PORT:-18443}"

# start_server [FLAGS...] serves cmd/h2spec-server on $port in the background ($srv).
start_server() {
  "$work/h2spec-server" --addr "127.0.0.1:$port" "$@" >"$work/server.log" 2>&1 &
  srv=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$work/server.log" && return 0
    kill -0 "$srv" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.1
  done
}

# stop_server stops the server start_server started.
stop_server() {
  kill "$srv" 2>/dev/null || true
  wait "$srv" 2>/dev/null || true
  srv=""
}

start_server

# h2spec sends "GET -P" without a gRPC content-type: a well-formed request that is not gRPC,
# which the server answers 405 with a text body (PROTOCOL-HTTP2.md, RFC 9110 §15.5.6). That
# body is the DATA h2spec's flow-control cases need. h2spec exits non-zero on any failed
# case; the gate below is the count of passed cases.
"$work/h2spec" -h 127.0.0.1 -p "$port" -P /helloworld.HelloService/SayHello -o 2 >"$work/h2spec.out" 2>&1 || true
sed -n '/^Failures:/,$p' "$work/h2spec.out"
summary="$(grep -E '^[0-9]+ tests, [0-9]+ passed' "$work/h2spec.out" || true)"
if [ -z "$summary" ]; then
  cat "$work/h2spec.out"
  echo "h2spec.sh: FAILED: h2spec printed no summary" >&2
  exit 1
fi
echo "== h2spec: $summary"
passed="$(sed -E 's/^[0-9]+ tests, ([0-9]+) passed.*/\1/' <<<"$summary")"
if [ "$passed" -lt "$min_passed" ]; then
  echo "h2spec.sh: FAILED: $passed cases passed; want at least $min_passed" >&2
  exit 1
fi

stop_server
start_server --max-frame-size 16384
"$work/h2spec" -h 127.0.0.1 -p "$port" -P /helloworld.HelloService/SayHello -o 2 http2/4.2 >"$work/h2spec-4.2.out" 2>&1 || true
sed -n '/^Failures:/,$p' "$work/h2spec-4.2.out"
summary42="$(grep -E '^[0-9]+ tests, [0-9]+ passed' "$work/h2spec-4.2.out" || true)"
echo "== h2spec 4.2 against a server announcing SETTINGS_MAX_FRAME_SIZE 16 KiB: ${summary42:-no summary}"
if ! grep -qE '^([0-9]+) tests, \1 passed, 0 skipped, 0 failed' <<<"$summary42"; then
  cat "$work/h2spec-4.2.out"
  echo "h2spec.sh: FAILED: section 4.2 must pass every case against a 16 KiB server" >&2
  exit 1
fi
