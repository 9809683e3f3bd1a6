#!/usr/bin/env bash
# Requests through `cfn proxy` against the same requests straight to the branch's port, with 1
# and with 50 concurrent keep-alive clients, side by side (docs/benchmarks.md records the result).
#
#   bash scripts/bench-proxy.sh
#
# A one-file repository, a private CFN_HOME and one worktree (`feat`) whose leased port is
# served by benches/proxy_upstream.rs (a keep-alive hyper server with a 22-byte body), so the
# numbers are the proxy's cost, not a dev server's. `wrk --latency` drives both, one after the
# other, on this machine's loopback only. Knobs: CFN_BENCH_DURATION (seconds per run, default
# 10), CFN_BENCH_CONNECTIONS (default "1 50").
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

duration=${CFN_BENCH_DURATION:-10}
connections=${CFN_BENCH_CONNECTIONS:-1 50}

bench_name=bench-proxy
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

bash scripts/ensure-packages.sh wrk

release_cfn
say "build (upstream server)"
cargo bench --locked --bench proxy_upstream --no-run --quiet 2>/dev/null || cargo bench --locked --bench proxy_upstream --no-run
upstream_bin=$(cargo bench --locked --bench proxy_upstream --no-run --message-format=json 2>/dev/null \
    | jq -r 'select(.executable != null and .target.name == "proxy_upstream") | .executable' | tail -n1)
[ -x "$upstream_bin" ] || die "no upstream binary"

say "machine"
machine_info
printf 'wrk:       %s\n' "$(wrk --version 2>&1 | head -n1)"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

work=$(mktemp -d "${TMPDIR:-/tmp}/cfn-bench-proxy.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME CFN_COMPOSE
mkdir -p "$work/home"
export HOME="$work/home" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
export CFN_HOME="$work/state"

repo="$work/benchproxy"
mkdir -p "$repo"
cd "$repo"
git init -q -b main
cat >docker-compose.yml <<'YAML'
services:
  web:
    image: cfn-test/app:1
    ports: ["8080:8080"]
YAML
git add -A
git commit -q -m "one compose file"
"$cfn" init --yes >/dev/null 2>&1
"$cfn" worktree add feat >/dev/null 2>&1
port=$("$cfn" ports feat --json | jq -r '.ports.web')
proxy_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
host=$("$cfn" url web -b feat | sed -e 's|^http://||' -e 's|:[0-9]*$||')

"$upstream_bin" "$port" 2>/dev/null &
pids+=($!)
"$cfn" proxy --port "$proxy_port" 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/" && curl -sf -o /dev/null -H "Host: $host" "http://127.0.0.1:$proxy_port/" && break
    sleep 0.1
done
curl -sf -H "Host: $host" "http://127.0.0.1:$proxy_port/" >/dev/null || die "the proxy does not answer for $host"

# run NAME URL CONNECTIONS [HEADER]: one wrk run; prints "req/s p50 p99" (latencies in µs).
run() {
    local out
    out=$(wrk --latency -t1 -c"$3" -d"${duration}s" ${4:+-H "$4"} "$2")
    printf '%s\n' "$out" >&2
    local rps p50 p99
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    printf '%s %s %s\n' "$rps" "$(to_us "$p50")" "$(to_us "$p99")"
}
# wrk prints 123.45us, 1.23ms or 1.05s.
to_us() {
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else print n * 1000000 }'
}

rows=()
for c in $connections; do
    say "$c connection(s), ${duration}s each: direct to 127.0.0.1:$port, then through the proxy as $host"
    read -r d_rps d_p50 d_p99 < <(run direct "http://127.0.0.1:$port/" "$c")
    read -r p_rps p_p50 p_p99 < <(run proxy "http://127.0.0.1:$proxy_port/" "$c" "Host: $host")
    ratio=$(awk -v p="$p_p50" -v d="$d_p50" 'BEGIN { printf "%.2f", p / d }')
    rows+=("| $c | $d_rps | $p_rps | $d_p50 | $p_p50 | $ratio | $d_p99 | $p_p99 |")
done

say "results (keep-alive; latencies in µs)"
printf '| clients | direct req/s | proxy req/s | direct p50 | proxy p50 | proxy/direct p50 | direct p99 | proxy p99 |\n'
printf '|---|---|---|---|---|---|---|---|\n'
printf '%s\n' "${rows[@]}"
