#!/usr/bin/env bash
# `cfn doctor` at many worktrees (docs/benchmarks.md, section "cfn doctor at 200 worktrees",
# records its results): a repository whose compose file publishes Redis, PostgreSQL and an app
# port, with SQLite migrations and cfn's git hooks, gets CFN_BENCH_WORKTREES worktrees (default
# 200; no stack runs), then hyperfine times `cfn doctor` there, and its output is shown once.
#
#   bash scripts/bench-doctor.sh
#
# Everything runs in a throw-away directory (on tmpfs when there is one) with a private
# CFN_HOME and hermetic git; nothing is started in the Docker engine, which is only asked.
#
# Knobs (environment): CFN_BENCH_WORKTREES (default 200), CFN_BENCH_RUNS (hyperfine runs,
# default 10), CFN_BENCH_WARMUP (default 2), CFN_BENCH_TMP (scratch location), CFN_BENCH_KEEP=1
# (keep the scratch directory), CFN_BENCH_BIN (a cfn binary to use instead of building the
# release one), CFN_BENCH_BASELINE (an older cfn binary, e.g. one built before a change, timed
# beside it in the same hyperfine run on the same set-up).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

nworktrees=${CFN_BENCH_WORKTREES:-200}
runs=${CFN_BENCH_RUNS:-10}
warmup=${CFN_BENCH_WARMUP:-2}

bench_name=bench-doctor
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

bash scripts/ensure-packages.sh hyperfine

release_cfn
baseline=${CFN_BENCH_BASELINE:-}
[ -z "$baseline" ] || [ -x "$baseline" ] || die "CFN_BENCH_BASELINE=$baseline is not executable"

say "machine"
machine_info
printf 'git:       %s\n' "$(git --version)"
printf 'hyperfine: %s\n' "$(hyperfine --version)"
printf 'docker:    %s\n' "$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo 'no engine')"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

scratch=${CFN_BENCH_TMP:-}
if [ -z "$scratch" ]; then
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then scratch=/dev/shm; else scratch=${TMPDIR:-/tmp}; fi
fi
work=$(mktemp -d "$scratch/cfn-bench-doctor.XXXXXX")
if [ "${CFN_BENCH_KEEP:-0}" = 1 ]; then
    printf 'scratch directory kept: %s\n' "$work"
else
    trap 'rm -rf "$work"' EXIT
fi

# Hermetic git, as in scripts/bench.sh.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME
mkdir -p "$work/home"
export HOME="$work/home" CFN_HOME="$work/state"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

say "set-up: a repository with $nworktrees worktrees"
repo=$work/shop
mkdir -p "$repo/migrations"
cd "$repo"
git init -q -b main
cat >docker-compose.yml <<'YAML'
services:
  redis:
    image: redis:7-alpine
    ports: ["6379:6379"]
  postgres:
    image: postgres:15-alpine
    ports: ["5432:5432"]
  app:
    image: busybox
    ports: ["3001:80"]
YAML
printf 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\n' >migrations/0001_items.up.sql
printf 'DROP TABLE items;\n' >migrations/0001_items.down.sql
git add -A
git commit -q -m "sample"
"$cfn" init --yes >/dev/null 2>&1
"$cfn" hooks install >/dev/null 2>&1
start=$SECONDS
for ((i = 1; i <= nworktrees; i++)); do
    "$cfn" -q worktree add "b$i" >/dev/null
done
printf '%s worktrees added in %ss\n' "$nworktrees" "$((SECONDS - start))"

say "cfn doctor, once (its output)"
"$cfn" doctor || true
if [ -n "$baseline" ]; then
    say "the baseline's cfn doctor, once (its output, first lines)"
    "$baseline" doctor 2>&1 | head -n 20 || true
fi

say "cfn doctor at $nworktrees worktrees: $warmup warm-up + $runs runs"
# doctor exits 1 when a check fails (e.g. a port of the set-up held by something else on a
# shared machine); the timing is what is measured here, so its exit status is not.
commands=(--command-name "cfn doctor ($nworktrees worktrees)" "'$cfn' doctor")
if [ -n "$baseline" ]; then
    commands+=(--command-name "baseline cfn doctor ($nworktrees worktrees)" "'$baseline' doctor")
fi
hyperfine --style basic --ignore-failure --warmup "$warmup" --runs "$runs" "${commands[@]}"
