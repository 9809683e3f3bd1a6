#!/usr/bin/env bash
# The portal (docs/benchmarks.md, section "Portal", records its results): with 50 worktrees
# registered,
#   - a loop event recorded in the state database → a WebSocket client subscribed to the run,
#     and → a headless Chromium page following the run (stamped by the page's own clock);
#   - a container start (the engine's `State.StartedAt`) → the `stack:update` saying it runs;
#   - the portal's memory (VmRSS) idle, and its peak (VmHWM) while a live loop run of 50 scripted
#     agents is followed over the socket.
#
#   bash scripts/bench-portal.sh
#
# Runs in a throw-away repository with a private CFN_HOME and hermetic git; needs the Docker
# engine, the cfn-test images, chromium and chromedriver (scripts/setup-test.sh). Knobs:
# CFN_BENCH_EVENTS (events timed per measure, default 200), CFN_BENCH_BIN (the binary to
# measure; default: a release build), CFN_BENCH_CLIENT (the measuring client, built from
# benches/portal_latency.rs; default: built here).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
events=${CFN_BENCH_EVENTS:-200}
worktrees=50
agents=50

bench_name=bench-portal
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

work=
portal_pid=
driver_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "$portal_pid" ] && { kill "$portal_pid" 2>/dev/null || true; wait "$portal_pid" 2>/dev/null || true; }
    [ -n "$driver_pid" ] && { kill "$driver_pid" 2>/dev/null || true; wait "$driver_pid" 2>/dev/null || true; }
    for id in $(docker ps -aq --filter label=com.docker.compose.project=benchportal-w1 2>/dev/null); do
        docker rm -f -v "$id" >/dev/null 2>&1 || true
    done
    docker network rm benchportal-w1_default >/dev/null 2>&1 || true
    [ -n "$work" ] && rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v chromedriver >/dev/null 2>&1 || die "no chromedriver (scripts/setup-test.sh)"
release_cfn
if [ -n "${CFN_BENCH_CLIENT:-}" ]; then
    client=$CFN_BENCH_CLIENT
else
    say "build (the measuring client: benches/portal_latency.rs)"
    cargo build --release --locked --quiet --bench portal_latency
    client=$(ls -t "${CARGO_TARGET_DIR:-$here/target}"/release/deps/portal_latency-* | grep -v '\.d$' | head -n1)
fi
say "machine"
machine_info
printf 'docker:    %s\n' "$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo none)"
printf 'chromium:  %s\n' "$(chromium --version 2>/dev/null || echo '?')"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

work=$(mktemp -d "${TMPDIR:-/tmp}/cfn-bench-portal.XXXXXX")
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE CFN_REDIS_URL CFN_BUS_PATH
export HOME="$work" CFN_HOME="$work/state" NO_COLOR=1 CFN_BIN="$cfn"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
repo="$work/benchportal"
mkdir -p "$repo/agents"
printf 'services:\n  web:\n    image: cfn-test/app:1\n' >"$repo/docker-compose.yml"
# A scripted agent: reports after a few seconds, as an agent that works would.
printf '#!/bin/sh\nsleep 5\n"$CFN_BIN" agent report --confidence 0.95 --status ok --payload "${PAYLOAD:-null}"\n' >"$repo/agents/work.sh"
printf '#!/bin/sh\n"$CFN_BIN" agent report --confidence 0.9 --status ok --payload %s\n' \
    "'{\"decision\": \"PROCEED\"}'" >"$repo/agents/po.sh"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" commit -q -m bench
(cd "$repo" && "$cfn" -q init --yes >/dev/null)
{
    printf '\n[loop]\nmode = "mvp"\nimplementers = [%s]\nvalidators = ["val"]\nproduct_owner = "po"\n' \
        "$(seq -s, -f '"impl-%g"' 1 "$agents")"
    for i in $(seq 1 "$agents"); do
        printf '\n[agents.impl-%d]\nrole = "implementer"\ncommand = ["sh", "agents/work.sh"]\ntimeout = 60\nenv = ["CFN_BIN"]\n' "$i"
    done
    printf '\n[agents.val]\nrole = "validator"\ncommand = ["sh", "agents/work.sh"]\nenv = ["CFN_BIN"]\n'
    printf '\n[agents.po]\nrole = "product-owner"\ncommand = ["sh", "agents/po.sh"]\nenv = ["CFN_BIN"]\n'
} >>"$repo/cfn.toml"
git -C "$repo" add -A
git -C "$repo" commit -q -m agents

say "$worktrees worktrees, one stack up"
cd "$repo"
for i in $(seq 1 $((worktrees - 1))); do
    "$cfn" -q worktree add "w$i" >/dev/null
done
(cd "$("$cfn" worktree list --json | python3 -c 'import json,sys; print(next(w["path"] for w in json.load(sys.stdin) if w["branch"] == "w1"))')" \
    && "$cfn" -q up >/dev/null)
container=$(docker ps -q --filter label=com.docker.compose.project=benchportal-w1 | head -n1)
[ -n "$container" ] || die "the stack of w1 did not start"
python3 - "$CFN_HOME/state.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO loop_runs (task_id, branch, epic, mode, bus) VALUES ('bench-1', 'main', 'bench', 'single', 'embedded')")
db.commit()
EOF

"$cfn" portal --port 0 >"$work/url" 2>"$work/portal.err" </dev/null &
portal_pid=$!
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -n1 "$work/url")
[ -n "$url" ] || die "the portal printed no URL: $(cat "$work/portal.err")"
addr=${url#http://}
addr=${addr%%/*}
token=${url##*token=}
driver_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chromedriver --port="$driver_port" >/dev/null 2>&1 &
driver_pid=$!
sleep 2
rss() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$portal_pid/status"; }
say "memory, idle with $worktrees worktrees"
echo "VmRSS ${portal_rss:=$(rss VmRSS)} MiB"

say "latency ($events events each; container start 10 times)"
"$client" "$addr" "$token" "$CFN_HOME" bench-1 "$events" "$driver_port" "$container"

say "a live loop run of $agents agents, followed over the socket"
"$client" follow "$addr" "$token" live-50 25 &
follower=$!
start=$EPOCHREALTIME
"$cfn" loop run --yes --json --epic "bench: $agents agents" --task-id live-50 >"$work/run.json" 2>"$work/run.err" \
    || die "the loop run failed: $(tail -n5 "$work/run.err")"
printf 'run: %s s, %s\n' "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')" \
    "$(python3 -c 'import json,sys; s = json.load(open(sys.argv[1])); print(s["status"], s["iterations"], "iteration(s)")' "$work/run.json")"
wait "$follower"
echo "VmRSS $(rss VmRSS) MiB after the run; peak VmHWM $(rss VmHWM) MiB"
