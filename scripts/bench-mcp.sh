#!/usr/bin/env bash
# MCP round trip (docs/benchmarks.md, section "MCP server", records its results): one
# `cfn mcp` server, driven over its stdin/stdout with newline-delimited JSON-RPC from this
# shell, times `tools/call status` (worktree, ports and one engine query for the services) and
# `tools/call ports` (no engine) from writing the request to reading the whole reply, against
# starting `cfn status --json` as a process for each call.
#
#   bash scripts/bench-mcp.sh
#
# Runs in a throw-away repository with a private CFN_HOME and hermetic git; needs the Docker
# engine (status asks it for the stack's containers). Knobs: CFN_BENCH_CALLS (timed calls per
# measure, default 300), CFN_BENCH_BIN (the binary to measure; default: a release build).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
calls=${CFN_BENCH_CALLS:-300}

bench_name=bench-mcp
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

work=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "${MCP_PID:-}" ] && { kill "$MCP_PID" 2>/dev/null || true; wait "$MCP_PID" 2>/dev/null || true; }
    [ -n "$work" ] && rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

release_cfn
say "machine"
machine_info
printf 'docker:    %s\n' "$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo none)"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

work=$(mktemp -d "${TMPDIR:-/tmp}/cfn-bench-mcp.XXXXXX")
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE CFN_REDIS_URL CFN_BUS_PATH
export HOME="$work" CFN_HOME="$work/state" NO_COLOR=1
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
repo="$work/repo"
mkdir -p "$repo"
printf 'services:\n  web:\n    image: cfn-test/app:1\n    ports: ["8080:80"]\n' >"$repo/docker-compose.yml"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" commit -q -m bench
(cd "$repo" && "$cfn" -q init --yes >/dev/null)

cd "$repo"
coproc MCP { exec "$cfn" mcp 2>"$work/mcp.err"; }
send() { printf '%s\n' "$1" >&"${MCP[1]}"; }
reply=
recv() { IFS= read -r reply <&"${MCP[0]}" || die "the server closed the stream: $(cat "$work/mcp.err")"; }
send '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}'
recv
send '{"jsonrpc":"2.0","method":"notifications/initialized"}'

stats() { # stats FILE: "n mean sd median p95 min max" in ms
    sort -g "$1" | awk '{ x[NR] = $1 * 1000; s += x[NR] } END {
        n = NR; m = s / n; for (i = 1; i <= n; i++) v += (x[i] - m) ^ 2
        sd = n > 1 ? sqrt(v / (n - 1)) : 0
        med = n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
        printf "%d %.2f %.2f %.2f %.2f %.2f %.2f\n", n, m, sd, med, x[int(n * 0.95)], x[1], x[n] }'
}
id=0
time_tool() { # time_tool NAME OUT: $calls timed round trips after 20 warm-up calls
    local name=$1 out=$2 i t0 t1
    : >"$out"
    for ((i = -20; i < calls; i++)); do
        id=$((id + 1))
        t0=$EPOCHREALTIME
        send "{\"jsonrpc\":\"2.0\",\"id\":$id,\"method\":\"tools/call\",\"params\":{\"name\":\"$name\",\"arguments\":{}}}"
        recv
        t1=$EPOCHREALTIME
        case $reply in *"\"id\":$id,"*'"isError":false'*) ;; *) die "$name call $id: $reply" ;; esac
        ((i >= 0)) && awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >>"$out"
    done
    return 0
}
say "tools/call status and ports, $calls calls each (after 20 warm-up calls)"
time_tool status "$work/t.status"
time_tool ports "$work/t.ports"
# Closing the server's stdin ends its session.
mcp_in=${MCP[1]}
exec {mcp_in}>&-

say "cfn status --json as a process, $calls runs"
: >"$work/t.cli"
for ((i = 0; i < calls; i++)); do
    t0=$EPOCHREALTIME
    "$cfn" status --json >/dev/null
    t1=$EPOCHREALTIME
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >>"$work/t.cli"
done

say "results (ms)"
echo "| measure | calls | mean ± sd | median | p95 | min | max |"
echo "|---|---|---|---|---|---|---|"
for m in "tools/call status:t.status" "tools/call ports:t.ports" "cfn status --json (process):t.cli"; do
    read -r n mean sd med p95 min max < <(stats "$work/${m#*:}")
    printf '| %s | %d | %s ± %s | %s | %s | %s | %s |\n' "${m%%:*}" "$n" "$mean" "$sd" "$med" "$p95" "$min" "$max"
done
