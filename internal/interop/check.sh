#!/usr/bin/env bash
# Interop check of actorrpc against grpc-go's own interop programs, both directions, and
# against itself:
#   1. grpc-go's interop client  vs  cmd/interop-server   the default cases (CASES)
#   2. cmd/interop-client        vs  grpc-go's interop server   the default cases (CASES)
#   3. cmd/interop-client        vs  cmd/interop-server   the default and the four
#      compression cases (SELF_CASES), which grpc-go's client does not implement and
#      grpc-go's server does not honour
# printing each run's "N passed, M failed" line. Exit status 0 only if every run passes
# every case.
#
#   internal/interop/check.sh
#
# Environment:
#   INTEROP_BIN   where grpc-go's interop programs are built (default ~/.cache/actorrpc-interop-bin)
#   INTEROP_DIR   the interop harness (build.sh, client-vs.sh, server.sh); default ../shared/interop beside the checkout
#   CASES         the cases of runs 1 and 2 (default: client-vs.sh's 16 default cases)
#   SELF_CASES    the cases of run 3 (default: "default compression", 20 cases)
#   VERBOSE=1     also print the per-case PASS/FAIL lines
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
harness="${INTEROP_DIR:-}"
if [ -z "$harness" ]; then
  # shared/ lies beside the checkout (CI clones elsewhere and copies shared/ next to it).
  for d in "$repo/../shared/interop" /work/shared/interop; do
    [ -x "$d/build.sh" ] && { harness="$(cd "$d" && pwd)"; break; }
  done
fi
[ -n "$harness" ] || { echo "interop harness (shared/interop) not found; set INTEROP_DIR" >&2; exit 2; }
export INTEROP_BIN="${INTEROP_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/actorrpc-interop-bin}"
read -r -a cases <<<"${CASES:-default}"
read -r -a self_cases <<<"${SELF_CASES:-default compression}"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# free_port prints a TCP port nothing listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port waits (up to ~10 s) until 127.0.0.1:$1 accepts connections, while pid $2 lives.
wait_port() {
  for _ in $(seq 1 100); do
    kill -0 "$2" 2>/dev/null || { echo "server exited early" >&2; return 1; }
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# summary runs client-vs.sh and prints its last line prefixed by $1; returns its status.
summary() {
  local label="$1"; shift
  local out rc=0
  out="$("$@")" || rc=$?
  if [ -n "${VERBOSE:-}" ]; then
    printf '%s\n' "$out" | sed '$d' | sed "s/^/  /"
  else
    printf '%s\n' "$out" | grep -E '^FAIL' | sed "s/^/  /" || true
  fi
  echo "$label: $(printf '%s\n' "$out" | tail -n 1)"
  return $rc
}

echo "building actorrpc's interop server and client" >&2
(cd "$repo" && go build -o "$work/interop-server" ./cmd/interop-server && go build -o "$work/interop-client" ./cmd/interop-client)
echo "building grpc-go's interop programs into $INTEROP_BIN" >&2
mkdir -p "$INTEROP_BIN"
"$harness/build.sh" >&2

status=0

# 1. grpc-go's client vs our server.
port="$(free_port)"
"$work/interop-server" --port "$port" >"$work/server.log" 2>&1 &
pids+=($!)
wait_port "$port" "${pids[-1]}"
summary "grpc-go client vs actorrpc server" "$harness/client-vs.sh" "127.0.0.1:$port" "${cases[@]}" || status=1

# 2. Our client vs grpc-go's server.
port="$(free_port)"
pids+=("$("$harness/server.sh" "$port" 2>/dev/null)")
INTEROP_CLIENT="$work/interop-client" \
  summary "actorrpc client vs grpc-go server" "$harness/client-vs.sh" "127.0.0.1:$port" "${cases[@]}" || status=1

# 3. Our client vs our server, compression cases included.
port="$(free_port)"
"$work/interop-server" --port "$port" >"$work/server-self.log" 2>&1 &
pids+=($!)
wait_port "$port" "${pids[-1]}"
INTEROP_CLIENT="$work/interop-client" COMPRESSION_CLIENT="$work/interop-client" \
  summary "actorrpc client vs actorrpc server" "$harness/client-vs.sh" "127.0.0.1:$port" "${self_cases[@]}" || status=1

exit $status
