#!/usr/bin/env bash
# `cfn worktree add` against the size of the registry: the same add timed with 10 and then with
# 200 worktrees already registered (docs/benchmarks.md records the result).
#
#   bash scripts/bench-registry.sh
#
# A one-file repository whose compose file publishes three ports, a private CFN_HOME, hermetic
# git, on tmpfs when there is one. Each measured run adds a worktree of a new branch; hyperfine's
# --prepare removes the previous run's (`cfn worktree remove --force`, `git branch -D`) outside
# the timing, so the registry keeps its size. `git worktree add` is timed beside it at each size
# for reference. Knobs: CFN_BENCH_RUNS (default 30), CFN_BENCH_WARMUP (default 3),
# CFN_BENCH_SIZES (default "10 200"), CFN_BENCH_TMP (scratch location).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

runs=${CFN_BENCH_RUNS:-30}
warmup=${CFN_BENCH_WARMUP:-3}
sizes=${CFN_BENCH_SIZES:-10 200}

bench_name=bench-registry
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

bash scripts/ensure-packages.sh hyperfine jq

release_cfn

say "machine"
machine_info
printf 'git:       %s\n' "$(git --version)"
printf 'hyperfine: %s\n' "$(hyperfine --version)"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

scratch=${CFN_BENCH_TMP:-}
if [ -z "$scratch" ]; then
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then scratch=/dev/shm; else scratch=${TMPDIR:-/tmp}; fi
fi
work=$(mktemp -d "$scratch/cfn-bench-registry.XXXXXX")
trap 'rm -rf "$work"' EXIT

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME CFN_COMPOSE
mkdir -p "$work/home"
export HOME="$work/home" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
export CFN_HOME="$work/state" BENCH_WORK="$work" BENCH_CFN="$cfn"

repo="$work/shop"
mkdir -p "$repo"
cd "$repo"
git init -q -b main
cat >docker-compose.yml <<'YAML'
services:
  redis:
    image: redis:7
    ports: ["6379:6379"]
  postgres:
    image: postgres:15
    ports: ["5432:5432"]
  orchestrator:
    image: nginx
    ports: ["3001:80"]
YAML
git add -A
git commit -q -m "one compose file"
"$cfn" init --yes >/dev/null 2>&1

# retire.sh KIND: remove the worktree and branch of KIND's current run, then advance the counter.
# Worktrees get the default path ../shop-<branch>.
cat >"$work/retire.sh" <<'SH'
#!/bin/sh
set -eu
kind=$1 work=$BENCH_WORK
n=0
[ -f "$work/n.$kind" ] && read -r n <"$work/n.$kind"
cd "$work/shop"
# (the cleanup after each command's runs retires both kinds: only what exists is removed)
if [ "$kind" = cfn ] && [ -d "$work/shop-m$n" ]; then
    "$BENCH_CFN" worktree remove --force --yes "m$n" >/dev/null
    git branch -q -D "m$n"
elif [ "$kind" = git ] && [ -d "$work/git-g$n" ]; then
    git worktree remove --force "$work/git-g$n"
    git branch -q -D "g$n"
fi
echo $((n + 1)) >"$work/n.$kind"
SH

registered=0
files=()
for size in $sizes; do
    say "registering worktrees up to $size"
    while [ "$registered" -lt "$size" ]; do
        "$cfn" worktree add "r$registered" >/dev/null 2>&1
        registered=$((registered + 1))
    done
    count=$("$cfn" worktree list --json | jq 'length')
    printf '%s worktrees listed (the main checkout included)\n' "$count"
    say "worktree add at $size registered worktrees: $warmup warm-up + $runs runs each"
    hyperfine --style basic --warmup "$warmup" --runs "$runs" --export-json "$work/size-$size.json" \
        --command-name "git worktree add" --prepare "sh '$work/retire.sh' git" \
        "read -r n < '$work/n.git'; git worktree add --quiet -b g\$n -- '$work/git-g'\$n HEAD" \
        --command-name "cfn worktree add" --prepare "sh '$work/retire.sh' cfn" \
        "read -r n < '$work/n.cfn'; '$cfn' worktree add m\$n" \
        --cleanup "sh '$work/retire.sh' git; sh '$work/retire.sh' cfn"
    rm -f "$work/n.git" "$work/n.cfn"
    files+=("$work/size-$size.json")
done

say "results in ms (median; cfn − git is cfn's own cost)"
jq -rs '
    def ms: . * 10000 | round / 10;
    def median: sort | length as $n | if $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end;
    def times($r; $name): [$r.results[] | select(.command == $name) | .times[]];
    "| registered worktrees | runs | git median | cfn median | cfn mean ± sd | cfn − git (medians) |",
    "|---|---|---|---|---|---|",
    (.[] as $r | (times($r; "git worktree add")) as $g | (times($r; "cfn worktree add")) as $c
        | ($c | add / length) as $m
        | ($c | map(. - $m | . * .) | add / (length - 1) | sqrt) as $sd
        | "| \($r.size) | \($c | length) | \($g | median | ms) | \($c | median | ms) | \($m | ms) ± \($sd | ms) | \((($c | median) - ($g | median)) | ms) |")
' < <(for f in "${files[@]}"; do jq --arg s "$(basename "$f" .json | cut -d- -f2)" '. + {size: $s}' "$f"; done)
