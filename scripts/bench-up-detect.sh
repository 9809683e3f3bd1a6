#!/usr/bin/env bash
# What detecting the compose program costs `cfn up` (docs/benchmarks.md, section "Compose
# detection in cfn up"): one worktree whose stack (the cfn-test app image, with a health check)
# is already up, then `cfn up` again — compose finds nothing to do, so what is timed is cfn's
# own work plus one `compose up -d` — in hyperfine, for compose v2 and v1 (CFN_COMPOSE).
# With CFN_BENCH_BASELINE=/path/to/an/older/cfn, that binary is timed beside this one in the
# same runs (on the same stack and state database), e.g. one built before the detection cache.
#
#   CFN_BENCH_BASELINE=/tmp/cfn-before bash scripts/bench-up-detect.sh
#
# Everything runs in a throw-away directory with a private CFN_HOME and hermetic git; the
# stack's compose project is cfnbd<pid>-… and is removed at the end, also on failure.
#
# Knobs (environment): CFN_BENCH_RUNS (hyperfine runs, default 20), CFN_BENCH_WARMUP (default
# 3), CFN_BENCH_BASELINE (see above), CFN_BENCH_BIN (the binary to time instead of building).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

runs=${CFN_BENCH_RUNS:-20}
warmup=${CFN_BENCH_WARMUP:-3}
baseline=${CFN_BENCH_BASELINE:-}

bench_name=bench-up-detect
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

bash scripts/ensure-packages.sh hyperfine
docker info >/dev/null 2>&1 || die "no Docker engine answers (scripts/ensure-docker.sh)"
bash scripts/build-test-images.sh app >/dev/null

release_cfn
[ -z "$baseline" ] || [ -x "$baseline" ] || die "CFN_BENCH_BASELINE=$baseline is not executable"

say "machine"
machine_info
printf 'compose:   v2 %s, v1 %s\n' "$(docker compose version --short 2>/dev/null || echo none)" \
    "$(docker-compose version --short 2>/dev/null || echo none)"
printf 'hyperfine: %s\n' "$(hyperfine --version)"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

name="cfnbd$$"
work=$(mktemp -d "${TMPDIR:-/tmp}/cfn-bench-up-detect.XXXXXX")
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local label=com.docker.compose.project=$name-feat ids
    ids=$(docker ps -aq --filter "label=$label")
    [ -z "$ids" ] || docker rm -f -v $ids >/dev/null
    ids=$(docker network ls -q --filter "label=$label")
    [ -z "$ids" ] || docker network rm $ids >/dev/null
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export DOCKER_CONFIG="${DOCKER_CONFIG:-$HOME/.docker}"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME CFN_REDIS_URL
mkdir -p "$work/home" "$work/$name"
export HOME="$work/home" CFN_HOME="$work/state" NO_COLOR=1
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

cd "$work/$name"
git init -q -b main
cat >docker-compose.yml <<'YAML'
services:
  app:
    image: cfn-test/app:1
    ports: ["8080:8080"]
YAML
git add -A
git commit -q -m "app"
"$cfn" init --yes >/dev/null 2>&1
"$cfn" -q worktree add feat >/dev/null
wt="$work/$name-feat"
"$cfn" -q -C "$wt" up >/dev/null

for compose in "docker compose" "docker-compose"; do
    say "cfn up on a running stack, CFN_COMPOSE=\"$compose\": $warmup warm-up + $runs runs"
    commands=(--command-name "cfn up" "CFN_COMPOSE='$compose' '$cfn' -q -C '$wt' up")
    if [ -n "$baseline" ]; then
        commands+=(--command-name "cfn up (baseline)" "CFN_COMPOSE='$compose' '$baseline' -q -C '$wt' up")
    fi
    commands+=(--command-name "$compose version --short" "$compose version --short")
    hyperfine --style basic --warmup "$warmup" --runs "$runs" "${commands[@]}"
done
