#!/usr/bin/env bash
# What implementers' own worktrees (`[loop] isolation = "worktrees"`) cost per iteration against
# the shared worktree, in a repository of CFN_BENCH_FILES files (default 10,000).
#
# One loop run = one iteration: two implementers (each writes one file and reports), one
# validator, a product owner deciding PROCEED, on the embedded bus. Runs alternate between the
# two modes (CFN_BENCH_RUNS each, default 7) so that machine load hits both alike; after each
# shared run the implementers' files are committed (outside the timing) so that the next
# worktrees run starts clean. Reported: median wall time per run of each mode, their difference
# (two lanes: two checkouts, two commits, two merges, two removals) and, as the floor, plain
# `git worktree add` + `git worktree remove` of the same repository.
#
#   bash scripts/bench-lanes.sh                      # release build of this checkout
#   CFN_BENCH_BIN=target/debug/cfn bash scripts/bench-lanes.sh
#
# Files go under CFN_BENCH_TMP (default /dev/shm: see docs/benchmarks.md on this machine's disk).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_name=bench-lanes
# shellcheck source=scripts/bench-common.sh
source "$here/scripts/bench-common.sh"

files=${CFN_BENCH_FILES:-10000}
runs=${CFN_BENCH_RUNS:-7}
release_cfn
# Described now: the benchmark's own HOME below hides the user's toolchain settings.
machine=$(machine_info; printf 'git:       %s\n' "$(git --version)")
tmp=$(mktemp -d "${CFN_BENCH_TMP:-/dev/shm}/cfn-bench-lanes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home CFN_HOME=$tmp/cfn-home GIT_CONFIG_GLOBAL=$tmp/gitconfig CI=true
mkdir -p "$HOME"
git config --global user.name bench
git config --global user.email bench@example.invalid
git config --global init.defaultBranch main

repo=$tmp/repo
say "repository: $files files"
mkdir -p "$repo/agents"
(
    cd "$repo"
    git init -q
    per_dir=100
    for ((d = 0; d < (files + per_dir - 1) / per_dir; d++)); do
        mkdir -p "src/d$d"
        for ((f = 0; f < per_dir && d * per_dir + f < files; f++)); do
            printf 'file %d of folder %d\n' "$f" "$d" >"src/d$d/f$f.txt"
        done
    done
    printf 'services:\n  app:\n    image: cfn-test/app:1\n' >docker-compose.yml
    cat >agents/impl.sh <<'EOF'
#!/bin/sh
echo "$CFN_TASK_ID" > "$CFN_AGENT_ID.txt"
"$CFN_BIN" agent report --confidence 0.95
EOF
    cat >agents/val.sh <<'EOF'
#!/bin/sh
"$CFN_BIN" agent report --confidence 0.95
EOF
    cat >agents/po.sh <<'EOF'
#!/bin/sh
"$CFN_BIN" agent report --confidence 0.9 --payload '{"decision": "PROCEED"}'
EOF
    git add -A && git commit -q -m files
    "$cfn" init --yes >/dev/null 2>&1
    cat >>cfn.toml <<'EOF'

[loop]
mode = "mvp"
isolation = "shared"
implementers = ["impl-1", "impl-2"]
validators = ["val-1"]
product_owner = "po"

[agents.impl-1]
role = "implementer"
command = ["sh", "agents/impl.sh"]
env = ["CFN_BIN"]

[agents.impl-2]
role = "implementer"
command = ["sh", "agents/impl.sh"]
env = ["CFN_BIN"]

[agents.val-1]
role = "validator"
command = ["sh", "agents/val.sh"]
env = ["CFN_BIN"]

[agents.po]
role = "product-owner"
command = ["sh", "agents/po.sh"]
env = ["CFN_BIN"]
EOF
    git add -A && git commit -q -m loop
    "$cfn" trust --yes >/dev/null
)
export CFN_BIN=$cfn

now_ms() { echo $(($(date +%s%N) / 1000000)); }
set_mode() {
    sed -i "s/^isolation = .*/isolation = \"$1\"/" "$repo/cfn.toml"
    git -C "$repo" diff --quiet || git -C "$repo" commit -q -am "isolation $1"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -a shared_ms=() lanes_ms=() git_ms=()
say "runs: $runs per mode, alternating"
for ((i = 1; i <= runs; i++)); do
    for mode in shared worktrees; do
        set_mode "$mode"
        start=$(now_ms)
        (cd "$repo" && "$cfn" loop run --yes --epic bench --task-id "$mode-$i" >/dev/null 2>&1) ||
            die "the $mode run $i failed: see $repo/.cfn/loop/$mode-$i"
        took=$(($(now_ms) - start))
        if [ "$mode" = shared ]; then
            shared_ms+=("$took")
            git -C "$repo" add -A && git -C "$repo" commit -q -m "shared run $i"
        else
            lanes_ms+=("$took")
        fi
        printf '  %-9s run %d: %d ms\n' "$mode" "$i" "$took"
    done
    start=$(now_ms)
    git -C "$repo" worktree add -q "$tmp/plain" -b "plain-$i" HEAD
    git -C "$repo" worktree remove --force "$tmp/plain"
    git -C "$repo" branch -q -D "plain-$i"
    git_ms+=("$(($(now_ms) - start))")
done

shared=$(printf '%s\n' "${shared_ms[@]}" | median)
lanes=$(printf '%s\n' "${lanes_ms[@]}" | median)
plain=$(printf '%s\n' "${git_ms[@]}" | median)
say "machine"
printf '%s\n' "$machine"
printf 'cfn:       %s\n' "$cfn"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
say "result ($files files, median of $runs runs, one iteration with two implementers)"
printf 'shared worktree:          %6s ms per run\n' "$shared"
printf 'a worktree each:          %6s ms per run\n' "$lanes"
printf 'lanes cost per iteration: %6s ms (two lanes), ratio %s\n' \
    "$(awk -v a="$lanes" -v b="$shared" 'BEGIN { print a - b }')" \
    "$(awk -v a="$lanes" -v b="$shared" 'BEGIN { printf "%.2f", a / b }')"
printf 'floor: git worktree add + remove, once: %s ms\n' "$plain"
