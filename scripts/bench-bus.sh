#!/usr/bin/env bash
# Coordination benchmarks (docs/benchmarks.md, section "Coordination", records their results):
#
#   1. `cargo bench --bench bus` (benches/bus.rs): signal send -> waiter wakes on Redis, on a
#      Redis Cluster (3 primaries + 3 replicas on loopback, side by side with the single server)
#      and on the embedded bus, against the seed's 2 s polling waiter; `results collect` of 1,000
#      reports on the same three;
#   2. the loop's own overhead: `cfn loop run` with 50 instant agents (48 implementers,
#      1 validator, 1 product owner; each a `sh` script that only runs `cfn agent report`) for
#      exactly 3 iterations (the product owner says ITERATE twice, then PROCEED), against the same
#      150 agent invocations run by a plain shell with the same concurrency (the implementers of
#      an iteration at once, then the validator, then the product owner). The difference is
#      what cfn itself costs. Alternated run by run, on a private Redis and on the embedded bus.
#
#   bash scripts/bench-bus.sh
#
# The loop runs in a throw-away repository with a private CFN_HOME, hermetic git and its own
# redis-server on a free loopback port, stopped at the end (also on failure or interrupt).
# Takes about 2 minutes once built (the seed's waiter alone needs 40 s).
#
# Knobs (environment): CFN_BENCH_LOOP_RUNS (runs of each side per bus, default 5),
# CFN_BENCH_IMPLEMENTERS / CFN_BENCH_VALIDATORS (default 48 / 1; plus one product owner),
# CFN_BENCH_SKIP_CARGO_BENCH=1 (only the loop), CFN_BENCH_KEEP=1 (keep the scratch directory);
# benches/bus.rs reads CFN_BENCH_ROUNDS, CFN_BENCH_SEED_ROUNDS, CFN_BENCH_REPORTS and
# CFN_BENCH_CLUSTER (0: no cluster rows).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

runs=${CFN_BENCH_LOOP_RUNS:-5}
n_impl=${CFN_BENCH_IMPLEMENTERS:-48}
n_val=${CFN_BENCH_VALIDATORS:-1}
iterations=3

bench_name=bench-bus
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

work=
redis_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$redis_pid" ]; then
        kill "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true
    fi
    if [ -n "$work" ]; then
        if [ "${CFN_BENCH_KEEP:-0}" = 1 ]; then printf 'scratch directory kept: %s\n' "$work"; else rm -rf "$work"; fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash scripts/ensure-packages.sh redis-server redis-tools jq

say "build (release binary and the bus benchmark)"
cargo build --release --locked --quiet
cargo bench --locked --quiet --bench bus --no-run
cfn="${CARGO_TARGET_DIR:-$here/target}/release/cfn"
[ -x "$cfn" ] || die "no release binary at $cfn"

say "machine"
machine_info
printf 'redis:     %s\n' "$(redis-server --version)"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${CFN_BENCH_SKIP_CARGO_BENCH:-0}" != 1 ]; then
    say "1. signal latency and results collect (cargo bench --bench bus)"
    cargo bench --locked --quiet --bench bus
fi

# ================================================================================================
# 2. loop overhead
# ================================================================================================
n_agents=$((n_impl + n_val + 1))
say "2. loop overhead: $n_agents instant agents ($n_impl implementers, $n_val validator(s), 1 product owner) x $iterations iterations"
work=$(mktemp -d "${TMPDIR:-/tmp}/cfn-bench-bus.XXXXXX")
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME CFN_REDIS_URL CFN_BUS_PATH \
    CFN_TASK_ID CFN_AGENT_ID CFN_ITERATION REDIS_FALLBACK_1
mkdir -p "$work/home"
export HOME="$work/home" CFN_HOME="$work/state" NO_COLOR=1 CFN_BIN="$cfn"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

# A private redis-server on a free loopback port.
port=
for ((p = 30000 + RANDOM % 20000; p < 65000; p++)); do
    [ -z "$(ss -Htan "sport = :$p")" ] && { port=$p; break; }
done
[ -n "$port" ] || die "no free port for redis-server"
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
    >"$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
redis-cli -p "$port" ping 2>/dev/null | grep -q PONG || die "redis-server did not start: $(cat "$work/redis.log")"
redis_url="redis://127.0.0.1:$port"
printf 'redis-server (pid %s) on %s\n' "$redis_pid" "$redis_url"

# The team: every agent is a sh script that only reports; the product owner says ITERATE until
# the last iteration, then PROCEED, so exactly $iterations iterations run (and --max-iterations
# $iterations would end the run as exhausted if a fourth were ever needed).
repo="$work/team"
mkdir -p "$repo/agents"
cat >"$repo/agents/report.sh" <<'SH'
#!/bin/sh
exec "$CFN_BIN" agent report --confidence 0.95
SH
cat >"$repo/agents/po.sh" <<SH
#!/bin/sh
if [ "\$CFN_ITERATION" -lt $iterations ]; then decision=ITERATE; else decision=PROCEED; fi
exec "\$CFN_BIN" agent report --confidence 0.95 --payload "{\"decision\": \"\$decision\"}"
SH
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" commit -q -m "bench team"
(cd "$repo" && "$cfn" -q init --yes >/dev/null)
{
    impl=() val=()
    for ((i = 1; i <= n_impl; i++)); do impl+=("\"impl-$i\""); done
    for ((i = 1; i <= n_val; i++)); do val+=("\"val-$i\""); done
    printf '\n[loop]\nmode = "mvp"\nimplementers = [%s]\nvalidators = [%s]\nproduct_owner = "po"\n' \
        "$(IFS=,; echo "${impl[*]}")" "$(IFS=,; echo "${val[*]}")"
    for ((i = 1; i <= n_impl; i++)); do
        printf '\n[agents.impl-%d]\nrole = "implementer"\ncommand = ["sh", "agents/report.sh"]\ntimeout = 60\n' "$i"
    done
    for ((i = 1; i <= n_val; i++)); do
        printf '\n[agents.val-%d]\nrole = "validator"\ncommand = ["sh", "agents/report.sh"]\ntimeout = 60\n' "$i"
    done
    printf '\n[agents.po]\nrole = "product-owner"\ncommand = ["sh", "agents/po.sh"]\ntimeout = 60\n'
} >>"$repo/cfn.toml"
git -C "$repo" add -A && git -C "$repo" commit -q -m "cfn init and the team"
# The agents are the repository's commands: trusted once, before anything is timed.
(cd "$repo" && "$cfn" -q trust --yes >/dev/null) || die "cfn trust failed"

# The same agents, run by a plain shell: per iteration all implementers at once, then the
# validators at once, then the product owner; each with the variables cfn gives an agent.
cat >"$work/plain.sh" <<SH
#!/bin/sh
# plain.sh TASK: the loop's $((n_agents * iterations)) agent invocations without cfn.
set -e
cd '$repo'
export CFN_TASK_ID="\$1"
phase() { # phase ROLE SCRIPT IDS...
    role=\$1 script=\$2; shift 2
    for id in "\$@"; do CFN_AGENT_ID=\$id CFN_ROLE=\$role sh "\$script" >/dev/null 2>&1 & done
    wait
}
for it in $(seq -s ' ' 1 "$iterations"); do
    export CFN_ITERATION=\$it
    phase implementer agents/report.sh $(seq -s ' ' -f 'impl-%g' 1 "$n_impl")
    phase validator agents/report.sh $(seq -s ' ' -f 'val-%g' 1 "$n_val")
    phase product-owner agents/po.sh po
done
SH

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", b - a }'; }
stats() { # stats FILE: "n mean sd median min max" in ms
    sort -g "$1" | awk '{ x[NR] = $1 * 1000; s += x[NR] } END {
        n = NR; m = s / n; for (i = 1; i <= n; i++) v += (x[i] - m) ^ 2
        sd = n > 1 ? sqrt(v / (n - 1)) : 0
        med = n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
        printf "%d %.0f %.0f %.0f %.0f %.0f\n", n, m, sd, med, x[1], x[n] }'
}

seq_no=0
run_loop() { # run_loop BUS OUT: one timed cfn loop run, checked
    local bus=$1 out=$2 t0 t1 task
    seq_no=$((seq_no + 1))
    task="loop-$bus-$seq_no"
    t0=$EPOCHREALTIME
    if [ "$bus" = redis ]; then
        (cd "$repo" && CFN_REDIS_URL="$redis_url" "$cfn" -q loop run --epic "benchmark" --task-id "$task" \
            --max-iterations "$iterations" --json >"$work/summary.json" 2>"$work/loop.err") \
            || die "cfn loop run failed: $(cat "$work/loop.err")"
    else
        (cd "$repo" && "$cfn" -q loop run --epic "benchmark" --task-id "$task" \
            --max-iterations "$iterations" --json >"$work/summary.json" 2>"$work/loop.err") \
            || die "cfn loop run failed: $(cat "$work/loop.err")"
    fi
    t1=$EPOCHREALTIME
    [ "$(jq -r '"\(.status) \(.iterations)"' "$work/summary.json")" = "proceed $iterations" ] \
        || die "loop $task: expected PROCEED after $iterations iterations, got $(cat "$work/summary.json")"
    [ "$(jq -r '.bus' "$work/summary.json")" != null ] || die "no bus in the summary"
    elapsed "$t0" "$t1" >>"$out"
}
check_plain() { # check_plain BUS TASK: every agent of every iteration reported
    local bus=$1 task=$2 it n
    for ((it = 1; it <= iterations; it++)); do
        if [ "$bus" = redis ]; then
            n=$(cd "$repo" && CFN_REDIS_URL="$redis_url" "$cfn" -q results collect --task-id "$task" \
                --iteration "$it" --expected "$n_agents" --timeout 1 | jq '.reports | length')
        else
            n=$(cd "$repo" && CFN_BUS_PATH="$bus_file" "$cfn" -q results collect --task-id "$task" \
                --iteration "$it" --expected "$n_agents" --timeout 1 | jq '.reports | length')
        fi
        [ "$n" = "$n_agents" ] || die "plain $task iteration $it: $n of $n_agents reports"
    done
}
run_plain() { # run_plain BUS OUT: the same invocations from a plain shell, checked
    local bus=$1 out=$2 t0 t1 task
    seq_no=$((seq_no + 1))
    task="plain-$bus-$seq_no"
    t0=$EPOCHREALTIME
    if [ "$bus" = redis ]; then
        CFN_REDIS_URL="$redis_url" sh "$work/plain.sh" "$task"
    else
        CFN_BUS_PATH="$bus_file" sh "$work/plain.sh" "$task"
    fi
    t1=$EPOCHREALTIME
    check_plain "$bus" "$task"
    elapsed "$t0" "$t1" >>"$out"
}

# Where the embedded bus of the checkout lives (the loop reports it in its summary).
(cd "$repo" && "$cfn" -q loop run --epic "warm-up" --task-id warm-embedded --max-iterations "$iterations" --json \
    >"$work/summary.json" 2>"$work/loop.err") || die "warm-up loop failed: $(cat "$work/loop.err")"
bus_file=$(jq -r '.bus' "$work/summary.json" | sed -n 's/^embedded bus at //p')
[ -f "$bus_file" ] || die "no embedded bus file in the summary: $(jq -r .bus "$work/summary.json")"
printf 'embedded bus of the checkout: %s\n' "$bus_file"

results=()
for bus in redis embedded; do
    say "2. $bus bus: one warm-up of each, then $runs runs of each, alternated"
    run_loop "$bus" /dev/null
    run_plain "$bus" /dev/null
    : >"$work/t.loop.$bus" && : >"$work/t.plain.$bus"
    for ((i = 1; i <= runs; i++)); do
        if ((i % 2)); then run_loop "$bus" "$work/t.loop.$bus"; run_plain "$bus" "$work/t.plain.$bus"
        else run_plain "$bus" "$work/t.plain.$bus"; run_loop "$bus" "$work/t.loop.$bus"; fi
        printf 'run %d/%d: cfn loop run %.3f s, plain shell %.3f s\n' "$i" "$runs" \
            "$(tail -n1 "$work/t.loop.$bus")" "$(tail -n1 "$work/t.plain.$bus")"
    done
    read -r n lm lsd lmed _ < <(stats "$work/t.loop.$bus")
    read -r _ pm psd pmed _ < <(stats "$work/t.plain.$bus")
    results+=("$(awk -v bus="$bus" -v n="$n" -v lm="$lm" -v lsd="$lsd" -v lmed="$lmed" -v pm="$pm" -v psd="$psd" \
        -v pmed="$pmed" -v inv=$((n_agents * iterations)) 'BEGIN {
        o = lm - pm; osd = sqrt(lsd ^ 2 + psd ^ 2)
        printf "| %s | %d | %d ± %d (median %d) | %d ± %d (median %d) | %d ± %d | %d | %.1f |",
            bus, n, lm, lsd, lmed, pm, psd, pmed, o, osd, lmed - pmed, o / inv }')")
done

say "2. results (ms; cfn's own time = cfn loop run - plain shell; goal <= 1000 ms)"
echo "| bus | runs each | cfn loop run, mean ± sd | plain shell, same agents, mean ± sd | cfn's own time, difference of means | difference of medians | per agent invocation |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
echo
echo "Each run: $n_agents agents x $iterations iterations = $((n_agents * iterations)) agent processes, each one sh + one cfn agent report."
