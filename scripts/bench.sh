#!/usr/bin/env bash
# cfn's benchmarks (docs/benchmarks.md records their results):
#
#   1. `cfn worktree add` against plain `git worktree add`, then `cfn worktree remove` against
#      plain `git worktree remove`, side by side in the same hyperfine runs, on a generated
#      repository of 10,000 files whose compose file publishes three ports, then on one of a
#      single file (cfn's fixed cost per add and remove);
#   2. the port allocator at 1,000 branches, and the seed's hash formula for the same names
#      (benches/allocator.rs).
#
#   bash scripts/bench.sh
#
# The worktree benchmark runs in a scratch directory on tmpfs (/dev/shm) when there is one, so
# that both commands are timed doing the same work without a disk's quirks in the way (see
# docs/benchmarks.md); CFN_BENCH_TMP=/some/dir puts it elsewhere, e.g. on disk.
#
# Knobs (environment): CFN_BENCH_PASSES (hyperfine passes, alternating which command goes
# first, default 4), CFN_BENCH_RUNS (measured runs per command and pass, default 15),
# CFN_BENCH_WARMUP (per pass, default 3), CFN_BENCH_DIRS x CFN_BENCH_FILES (generated files,
# default 100 x 100), CFN_BENCH_TMP (scratch location), CFN_BENCH_KEEP=1 (keep the scratch
# directory), CFN_BENCH_ALLOCATOR=0 (skip the allocator benchmark and its build),
# CFN_BENCH_WORKTREE=add|remove (only that half of the worktree benchmark; default both). Takes a few minutes, most of them building when the sources changed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

passes=${CFN_BENCH_PASSES:-4}
runs=${CFN_BENCH_RUNS:-15}
warmup=${CFN_BENCH_WARMUP:-3}
ndirs=${CFN_BENCH_DIRS:-100}
nfiles=${CFN_BENCH_FILES:-100}
which=${CFN_BENCH_WORKTREE:-both}

bench_name=bench
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

bash scripts/ensure-packages.sh hyperfine jq

say "build (release binary and the allocator benchmark)"
cargo build --release --locked --quiet
allocator=${CFN_BENCH_ALLOCATOR:-1}
[ "$allocator" = 0 ] || cargo bench --locked --quiet --bench allocator --no-run
cfn="${CARGO_TARGET_DIR:-$here/target}/release/cfn"
[ -x "$cfn" ] || die "no release binary at $cfn"

say "machine"
machine_info
printf 'git:       %s (%s)\n' "$(git --version)" "$(command -v git)"
printf 'hyperfine: %s\n' "$(hyperfine --version)"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

scratch=${CFN_BENCH_TMP:-}
if [ -z "$scratch" ]; then
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then scratch=/dev/shm; else scratch=${TMPDIR:-/tmp}; fi
fi
work=$(mktemp -d "$scratch/cfn-bench.XXXXXX")
printf 'scratch:   %s (%s)\n' "$work" "$(df -PT "$work" | awk 'NR == 2 { print $2 }')"
if [ "${CFN_BENCH_KEEP:-0}" = 1 ]; then
    printf 'scratch directory kept: %s\n' "$work"
else
    trap 'rm -rf "$work"' EXIT
fi

# Hermetic git (libgit2 reads $HOME/.gitconfig whatever GIT_CONFIG_GLOBAL says, hence the
# empty HOME) for the worktree benchmarks, which run in a subshell.
hermetic_git() {
    unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME
    mkdir -p "$work/home"
    export HOME="$work/home"
    export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
    export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
    export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
    export GIT_AUTHOR_DATE=2025-01-01T00:00:00Z GIT_COMMITTER_DATE=2025-01-01T00:00:00Z
}

# worktree_bench LABEL DIRS FILES: `git worktree add` and `cfn worktree add` on a generated
# repository of DIRS x FILES files plus a compose file publishing three ports, with a private
# cfn state database; prints a table of results.
worktree_bench() {
    local label=$1 dirs=$2 files_per_dir=$3
    local base="$work/$label"
    local repo="$base/shop" d f dir file
    export CFN_HOME="$base/state" BENCH_WORK="$base" BENCH_CFN="$cfn"

    say "worktree add ($label): generating a repository of $((dirs * files_per_dir)) files"
    mkdir -p "$repo"
    cd "$repo"
    git init -q -b main
    for ((d = 0; d < dirs; d++)); do
        printf -v dir 'src/m%03d' "$d"
        mkdir -p "$dir"
        for ((f = 0; f < files_per_dir; f++)); do
            printf -v file '%s/f%03d.txt' "$dir" "$f"
            printf 'module %d, file %d\n' "$d" "$f" >"$file"
        done
    done
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
    git commit -q -m "generated repository"
    "$cfn" init --yes >/dev/null 2>&1
    printf '%s tracked files; cfn.toml has %s port keys\n' "$(git ls-files | wc -l)" \
        "$(grep -c '^\[ports\.keys\.' cfn.toml || true)"

    # Each measured run reads its run number from a counter file (a shell builtin: no extra
    # process inside the timing) and creates a new branch and its worktree. The --prepare
    # script first checks and removes the previous run's worktree and branch, then advances the
    # counter; --cleanup does the same for the last run. Every retired worktree is logged, so
    # that afterwards the script can check that every run really created one.
    cat >"$base/retire.sh" <<'SH'
#!/bin/sh
# retire.sh KIND [next]: verify and remove the worktree of KIND's current run; with "next",
# then advance KIND's run counter.
set -eu
kind=$1
work=$BENCH_WORK
n=0
[ -f "$work/n.$kind" ] && read -r n <"$work/n.$kind"
done_n=0
[ -f "$work/retired.$kind" ] && read -r done_n <"$work/retired.$kind"
if [ "$n" -gt 0 ] && [ "$n" != "$done_n" ]; then
    case $kind in
        git) branch=g$n wt=$work/git-g$n ;;
        cfn) branch=c$n wt=$work/shop-c$n ;;
    esac
    cd "$work/shop"
    [ -f "$wt/src/m000/f000.txt" ] || { echo "run $kind $n: no checkout at $wt" >&2; exit 1; }
    head=$(git -C "$wt" symbolic-ref --short HEAD)
    [ "$head" = "$branch" ] || { echo "run $kind $n: $wt is on $head, not $branch" >&2; exit 1; }
    if [ "$kind" = cfn ]; then
        grep -q "^COMPOSE_PROJECT_NAME=shop-$branch\$" "$wt/.cfn/env" \
            || { echo "run $kind $n: no rendered .cfn/env" >&2; exit 1; }
        "$BENCH_CFN" worktree remove --force --yes "$branch" >/dev/null
    else
        git worktree remove --force "$wt"
    fi
    git branch -q -D "$branch"
    echo "$n" >"$work/retired.$kind"
    echo "$kind $n $wt" >>"$work/verified"
fi
if [ "${2:-}" = next ]; then
    echo $((n + 1)) >"$work/n.$kind"
fi
SH

    if [ "$which" != remove ]; then
        local -a git_cmd=(--command-name "git worktree add" --prepare "sh '$base/retire.sh' git next"
            "read -r n < '$base/n.git'; git worktree add --quiet -b g\$n -- '$base/git-g'\$n HEAD")
        local -a cfn_cmd=(--command-name "cfn worktree add" --prepare "sh '$base/retire.sh' cfn next"
            "read -r n < '$base/n.cfn'; '$cfn' worktree add c\$n")
        # hyperfine runs all runs of one command, then all of the next; on a machine whose load
        # drifts that favours one of them. Several shorter passes in alternating order even it out.
        local pass order_name
        local -a files=() order
        for ((pass = 1; pass <= passes; pass++)); do
            if ((pass % 2)); then
                order_name=git-first order=("${git_cmd[@]}" "${cfn_cmd[@]}")
            else
                order_name=cfn-first order=("${cfn_cmd[@]}" "${git_cmd[@]}")
            fi
            say "worktree add ($label), pass $pass/$passes ($order_name): $warmup warm-up + $runs runs each"
            hyperfine --style basic --warmup "$warmup" --runs "$runs" --export-json "$base/pass-$pass.json" \
                "${order[@]}" --cleanup "sh '$base/retire.sh' git && sh '$base/retire.sh' cfn"
            files+=("$base/pass-$pass.json")
        done

        # Every run (warm-ups included) must have left a checked worktree, and none may remain.
        echo
        local kind made checked
        for kind in git cfn; do
            read -r made <"$base/n.$kind"
            checked=$(grep -c "^$kind " "$base/verified" || true)
            [ "$made" -ge $((passes * runs)) ] || die "$kind: only $made runs counted, expected $((passes * runs))+"
            [ "$checked" = "$made" ] || die "$kind: $made runs but $checked verified worktrees"
            printf '%s: %s runs, each created and verified a fresh worktree of a new branch\n' "$kind" "$made"
        done
        [ "$(git worktree list --porcelain | grep -c '^worktree ')" = 1 ] || die "worktrees left behind"

        say "worktree add ($label): results in ms; ratio = cfn / git"
        report "git worktree add" "cfn worktree add" "${files[@]}"
    fi

    [ "$which" = add ] || remove_bench "$label"
}

# report GIT_NAME CFN_NAME FILES...: a markdown table of the hyperfine results of the two
# commands, per pass and over all passes.
report() {
    local git_name=$1 cfn_name=$2
    shift 2
    jq -rs --arg g "$git_name" --arg c "$cfn_name" '
        def ms: . * 10000 | round / 10;
        def stats: length as $n | (add / $n) as $m
            | { n: $n, mean: $m, sd: ((map(. - $m | . * .) | add) / ($n - 1) | sqrt),
                median: (sort | if $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end) };
        def times($name): [.[].results[] | select(.command == $name) | .times[]];
        def line($title):
            (times($g) | stats) as $gs | (times($c) | stats) as $cs
            | ($cs.mean / $gs.mean) as $r
            | ($r * ((($cs.sd / $cs.mean) | . * .) + (($gs.sd / $gs.mean) | . * .) | sqrt)) as $rsd
            | "| \($title) | \($gs.n) | \($gs.mean | ms) ± \($gs.sd | ms) | \($gs.median | ms) | \($cs.mean | ms) ± \($cs.sd | ms) | \($cs.median | ms) | \($r * 1000 | round / 1000) ± \($rsd * 1000 | round / 1000) | \($cs.median / $gs.median * 1000 | round / 1000) | \(($cs.median - $gs.median) | ms) |";
        "| pass | runs each | git mean ± sd | git median | cfn mean ± sd | cfn median | ratio of means | ratio of medians | cfn − git, medians |",
        "|---|---|---|---|---|---|---|---|---|",
        (to_entries[] | .key as $i | [.value] | line("\($i + 1) (\(.[0].results[0].command | split(" ")[0]) first)")),
        line("all passes")
    ' "$@"
}

# remove_bench LABEL: `git worktree remove` and `cfn worktree remove` of a fresh worktree of the
# repository worktree_bench generated. Without --force both check the worktree for changes
# first (one walk of its files) and then delete it. The --prepare script creates each run's
# worktree outside the timing, after checking that the previous run's is gone: its directory,
# git's entry and, for cfn, its registry row.
remove_bench() {
    local label=$1
    local base="$work/$label"
    cat >"$base/make.sh" <<'SH'
#!/bin/sh
# make.sh KIND [next]: verify that KIND's current run removed its worktree; with "next", create
# the worktree of the next run and advance KIND's counter.
set -eu
kind=$1
work=$BENCH_WORK
n=0
[ -f "$work/rm.$kind" ] && read -r n <"$work/rm.$kind"
done_n=0
[ -f "$work/rm-done.$kind" ] && read -r done_n <"$work/rm-done.$kind"
cd "$work/shop"
if [ "$n" -gt 0 ] && [ "$n" != "$done_n" ]; then
    case $kind in
        git) branch=rg$n wt=$work/git-rg$n ;;
        cfn) branch=rc$n wt=$work/shop-rc$n ;;
    esac
    [ ! -e "$wt" ] || { echo "run $kind $n: $wt was not removed" >&2; exit 1; }
    if git worktree list --porcelain | grep -qx "worktree $wt"; then
        echo "run $kind $n: git still lists $wt" >&2
        exit 1
    fi
    if [ "$kind" = cfn ] && "$BENCH_CFN" worktree list --json | jq -e --arg b "$branch" 'any(.branch == $b)' >/dev/null; then
        echo "run $kind $n: $branch is still registered" >&2
        exit 1
    fi
    git branch -q -D "$branch"
    echo "$n" >"$work/rm-done.$kind"
    echo "$kind $n $wt" >>"$work/rm-verified"
fi
if [ "${2:-}" = next ]; then
    n=$((n + 1))
    case $kind in
        git) git worktree add --quiet -b "rg$n" -- "$work/git-rg$n" HEAD ;;
        cfn) "$BENCH_CFN" worktree add "rc$n" >/dev/null 2>&1 ;;
    esac
    echo "$n" >"$work/rm.$kind"
fi
SH
    local -a git_cmd=(--command-name "git worktree remove" --prepare "sh '$base/make.sh' git next"
        "read -r n < '$base/rm.git'; git worktree remove -- '$base/git-rg'\$n")
    local -a cfn_cmd=(--command-name "cfn worktree remove" --prepare "sh '$base/make.sh' cfn next"
        "read -r n < '$base/rm.cfn'; '$cfn' worktree remove rc\$n")
    local pass order_name
    local -a files=() order
    for ((pass = 1; pass <= passes; pass++)); do
        if ((pass % 2)); then
            order_name=git-first order=("${git_cmd[@]}" "${cfn_cmd[@]}")
        else
            order_name=cfn-first order=("${cfn_cmd[@]}" "${git_cmd[@]}")
        fi
        say "worktree remove ($label), pass $pass/$passes ($order_name): $warmup warm-up + $runs runs each"
        hyperfine --style basic --warmup "$warmup" --runs "$runs" --export-json "$base/rm-pass-$pass.json" \
            "${order[@]}" --cleanup "sh '$base/make.sh' git && sh '$base/make.sh' cfn"
        files+=("$base/rm-pass-$pass.json")
    done

    echo
    local kind made checked
    for kind in git cfn; do
        read -r made <"$base/rm.$kind"
        checked=$(grep -c "^$kind " "$base/rm-verified" || true)
        [ "$made" -ge $((passes * runs)) ] || die "$kind: only $made removals counted, expected $((passes * runs))+"
        [ "$checked" = "$made" ] || die "$kind: $made removals but $checked verified"
        printf '%s: %s runs, each removed a fresh worktree, verified gone\n' "$kind" "$made"
    done
    [ "$(git worktree list --porcelain | grep -c '^worktree ')" = 1 ] || die "worktrees left behind"

    say "worktree remove ($label): results in ms; ratio = cfn / git"
    report "git worktree remove" "cfn worktree remove" "${files[@]}"
}

(
    hermetic_git
    # The benchmark the goals (add and remove within 1.1 of git) are about: checking out and
    # deleting 10,000 files dominates.
    worktree_bench large "$ndirs" "$nfiles"
    # cfn's fixed cost per add, where git has next to nothing to check out.
    worktree_bench tiny 1 1
)

if [ "$allocator" != 0 ]; then
    say "allocator: 1,000 branches (cargo bench --bench allocator)"
    cargo bench --locked --quiet --bench allocator
fi
