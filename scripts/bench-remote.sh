#!/usr/bin/env bash
# Remote engines (docs/benchmarks.md, section "Remote engines", records the result): the time of
# `cfn worktree add` and `cfn worktree remove` for a branch on the local engine, on the second
# engine over TCP, and over SSH (scripts/second-engine.sh), side by side in one run, next to
# plain `git worktree add`/`remove` of the same repository. A remote add asks the engine for its
# published ports and claims, and creates the claim volumes; that is what the difference costs.
#
#   bash scripts/bench-remote.sh
#
# A throw-away repository with two port keys, a private CFN_HOME and hermetic git; every claim
# volume the run made on the second engine is removed at the end. Knobs: CFN_BENCH_RUNS (adds of
# each kind, default 10), CFN_BENCH_BIN (a cfn binary already built).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
runs=${CFN_BENCH_RUNS:-10}

bench_name=bench-remote
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

bash scripts/ensure-packages.sh bc
release_cfn
bash scripts/second-engine.sh up >/dev/null
# Read before HOME is the scratch directory's (rustup finds its toolchain through HOME).
machine=$(machine_info)
tcp=tcp://10.231.0.2:2375
ssh_host=ssh://root@10.231.0.2

scratch=$(mktemp -d /tmp/cfn-bench-remote.XXXXXX)
export CFN_HOME=$scratch/home HOME=$scratch GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
# ssh reads its configuration from the passwd home, not $HOME: a wrapper names the test key.
client=/run/cfn-engine2/ssh/client
mkdir -p "$scratch/bin"
printf '#!/bin/sh\nexec /usr/bin/ssh -i %s -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes "$@"\n' \
    "$client/id_ed25519" "$client/known_hosts" >"$scratch/bin/ssh"
chmod +x "$scratch/bin/ssh"
export PATH=$scratch/bin:$PATH

cleanup() {
    if [ -s "$CFN_HOME/instance-id" ]; then
        docker -H "$tcp" volume ls -q --filter "label=dev.cfn.port-owner=$(cat "$CFN_HOME/instance-id")" |
            xargs -r docker -H "$tcp" volume rm -f >/dev/null
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

repo=$scratch/benchrepo
mkdir -p "$repo" && cd "$repo"
git init -q -b main
printf 'services:\n  web:\n    image: cfn-test/app:1\n    ports: ["18080:8080"]\n  cache:\n    image: cfn-test/redis:1\n    ports: ["16379:6379"]\n' >docker-compose.yml
git add -A && git commit -qm init
"$cfn" init --yes >/dev/null

now() { date +%s%N; }
# time_ms CMD…: runs it, prints its wall time in ms (fails the run when it fails).
time_ms() {
    local t0 t1
    t0=$(now)
    "$@" >/dev/null 2>"$scratch/err" || { cat "$scratch/err" >&2; die "failed: $*"; }
    t1=$(now)
    echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A add_ms remove_ms
for kind in git local tcp ssh; do
    adds=() removes=()
    for i in $(seq 1 "$runs"); do
        branch="$kind-$i"
        case $kind in
        git)
            adds+=("$(time_ms git worktree add -q -b "$branch" "$scratch/wt-$branch")")
            removes+=("$(time_ms git worktree remove "$scratch/wt-$branch")")
            continue ;;
        local) engine=() ;;
        tcp) engine=(--engine "$tcp") ;;
        ssh) engine=(--engine "$ssh_host") ;;
        esac
        adds+=("$(time_ms "$cfn" worktree add "$branch" "${engine[@]}")")
        removes+=("$(time_ms "$cfn" worktree remove "$branch")")
    done
    add_ms[$kind]=$(printf '%s\n' "${adds[@]}" | median)
    remove_ms[$kind]=$(printf '%s\n' "${removes[@]}" | median)
done

say "machine"
printf '%s\n' "$machine"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'engines:   local %s; second %s\n' "$(docker version -f '{{.Server.Version}}')" \
    "$(docker -H "$tcp" version -f '{{.Server.Version}}')"

say "results (median of $runs; ms; ratio to the local engine's)"
printf '| engine | worktree add | ratio | worktree remove | ratio |\n|---|---|---|---|---|\n'
for kind in git local tcp ssh; do
    label=$kind
    [ "$kind" = git ] && label="plain git worktree"
    printf '| %s | %s | %.2f× | %s | %.2f× |\n' "$label" "${add_ms[$kind]}" \
        "$(echo "${add_ms[$kind]} / ${add_ms[local]}" | bc -l)" "${remove_ms[$kind]}" \
        "$(echo "${remove_ms[$kind]} / ${remove_ms[local]}" | bc -l)"
done
