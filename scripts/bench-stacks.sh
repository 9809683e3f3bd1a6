#!/usr/bin/env bash
# Stack benchmarks (docs/benchmarks.md, section "Stacks", records their results):
#
#   1. `cfn up` until every service is healthy, against `docker compose -p X -f FILE up -d` plus
#      a shell loop polling `docker inspect -f '{{.State.Health.Status}}'` for every container
#      every 0.25 s: the same stack (redis, postgres with a named volume, app; all with health
#      checks; the cfn-test images), alternated run by run, `down -v` between runs outside the
#      timing. Then one more cfn run, not timed, with its output time-stamped: where its time goes.
#   2. `cfn status` with 10 stacks up (10 worktrees, each `cfn up`'d with an app-only stack)
#      against `docker compose -p P ps` run once per project (10 invocations), in hyperfine.
#
#   bash scripts/bench-stacks.sh
#
# Everything runs in a throw-away directory with a private CFN_HOME and hermetic git; every
# compose project is named cfnbs<pid>…, and every container, volume and network of those
# projects is removed at the end, also on failure or interrupt (and those of an earlier run that
# was killed are removed at the start). Takes about 3 minutes once the release binary is built.
#
# Knobs (environment): CFN_BENCH_UP_RUNS (measured runs of each side, default 8, at least 5),
# CFN_BENCH_STACKS (stacks for cfn status, default 10), CFN_BENCH_STATUS_RUNS (hyperfine runs per
# command and pass, default 15), CFN_BENCH_COMPOSE (compose program of both sides, default
# "docker compose"), CFN_BENCH_KEEP=1 (keep the scratch directory).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

up_runs=${CFN_BENCH_UP_RUNS:-8}
nstacks=${CFN_BENCH_STACKS:-10}
status_runs=${CFN_BENCH_STATUS_RUNS:-15}
compose_cmd=${CFN_BENCH_COMPOSE:-docker compose}
read -r -a compose <<<"$compose_cmd"
poll=0.25

bench_name=bench-stacks
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"
[ "$up_runs" -ge 5 ] || die "CFN_BENCH_UP_RUNS must be at least 5"

# --- clean-up: every compose project whose name starts with $1 ---------------------------------
project_of() { # docker LIST-COMMAND -> "id project" lines
    docker "$@" --filter label=com.docker.compose.project \
        --format '{{.ID}} {{.Label "com.docker.compose.project"}}' 2>/dev/null || true
}
purge() { # purge REGEX: removes containers, then volumes, then networks of matching projects
    local re=$1 id project
    while read -r id project; do
        if [[ $project =~ $re ]]; then docker rm -f -v "$id" >/dev/null 2>&1 || true; fi
    done < <(project_of ps -a)
    while read -r id project; do
        if [[ $project =~ $re ]]; then docker volume rm -f "$id" >/dev/null 2>&1 || true; fi
    done < <(docker volume ls --filter label=com.docker.compose.project \
        --format '{{.Name}} {{.Label "com.docker.compose.project"}}' 2>/dev/null || true)
    while read -r id project; do
        if [[ $project =~ $re ]]; then docker network rm "$id" >/dev/null 2>&1 || true; fi
    done < <(project_of network ls)
}
leftovers() { # leftovers REGEX: how many containers, volumes and networks still match
    local re=$1 n=0 id project
    while read -r id project; do [[ $project =~ $re ]] && n=$((n + 1)); done < <(
        project_of ps -a
        docker volume ls --filter label=com.docker.compose.project \
            --format '{{.Name}} {{.Label "com.docker.compose.project"}}' 2>/dev/null
        project_of network ls
    )
    echo "$n"
}

tag="cfnbs$$"
work=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    printf '\n== clean-up: every container, volume and network of the projects %s*\n' "$tag"
    purge "^${tag}[a-z]"
    local left
    left=$(leftovers "^${tag}[a-z]")
    [ "$left" = 0 ] || printf 'bench-stacks: %s resources of %s* could not be removed\n' "$left" "$tag" >&2
    if [ -n "$work" ]; then
        if [ "${CFN_BENCH_KEEP:-0}" = 1 ]; then printf 'scratch directory kept: %s\n' "$work"; else rm -rf "$work"; fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- prerequisites ---------------------------------------------------------------------------
bash scripts/ensure-packages.sh hyperfine jq
docker info >/dev/null 2>&1 || die "no Docker engine answers (scripts/ensure-docker.sh)"
"${compose[@]}" version >/dev/null 2>&1 || die "$compose_cmd does not work"
bash scripts/build-test-images.sh redis postgres app >/dev/null

# Projects of an earlier run of this script that was killed (its PID is gone).
while read -r stale; do
    pid=${stale#cfnbs}
    [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && purge "^cfnbs${pid}[a-z]"
done < <({ project_of ps -a; project_of network ls; } | awk '{ print $2 }' | grep -oE '^cfnbs[0-9]+' | sort -u)

release_cfn

say "machine"
machine_info
printf 'docker:    %s (engine %s)\n' "$(docker --version)" "$(docker version --format '{{.Server.Version}}')"
printf 'compose:   %s: %s; v1: %s\n' "$compose_cmd" "$("${compose[@]}" version --short 2>/dev/null)" \
    "$(docker-compose version --short 2>/dev/null || echo none)"
printf 'hyperfine: %s\n' "$(hyperfine --version)"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

work=$(mktemp -d "${TMPDIR:-/tmp}/cfn-bench-stacks.XXXXXX")
# Hermetic git and a private state database; docker keeps the caller's configuration.
export DOCKER_CONFIG="${DOCKER_CONFIG:-$HOME/.docker}"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME CFN_REDIS_URL
mkdir -p "$work/home"
export HOME="$work/home" CFN_HOME="$work/state" CFN_COMPOSE="$compose_cmd" NO_COLOR=1
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

# Free host ports for the main checkouts' compose files (branches get their own from cfn).
used_ports=" "
free_port() {
    local p
    for ((p = 20000 + RANDOM % 20000; ; p++)); do
        [[ $used_ports == *" $p "* ]] && continue
        [ -z "$(ss -Htan "sport = :$p")" ] && { used_ports+="$p "; echo "$p"; return; }
    done
}

repo_init() { # repo_init DIR NAME: a git repository holding docker-compose.yml, cfn init'ed
    local dir=$1 name=$2
    mkdir -p "$dir"
    git -C "$dir" init -q -b main
    git -C "$dir" add -A
    git -C "$dir" commit -q -m "bench stack"
    (cd "$dir" && "$cfn" -q init --yes --name "$name" >/dev/null)
    git -C "$dir" add -A && git -C "$dir" commit -q -m "cfn init"
}

# --- statistics (seconds in, milliseconds out) ------------------------------------------------
stats() { # stats FILE: "n mean sd median min max" of the numbers in FILE, in ms
    sort -g "$1" | awk '{ x[NR] = $1 * 1000; s += x[NR] } END {
        n = NR; m = s / n; for (i = 1; i <= n; i++) v += (x[i] - m) ^ 2
        sd = n > 1 ? sqrt(v / (n - 1)) : 0
        med = n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
        printf "%d %.1f %.1f %.1f %.1f %.1f\n", n, m, sd, med, x[1], x[n] }'
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", b - a }'; }

# ================================================================================================
# 1. cfn up vs compose up -d + polling
# ================================================================================================
say "1. cfn up vs $compose_cmd up -d + health polling every ${poll}s"
stack="$work/stack"
mkdir -p "$stack"
cat >"$stack/docker-compose.yml" <<YAML
services:
  redis:
    image: cfn-test/redis:1
    ports: ["$(free_port):6379"]
    healthcheck:
      test: ["CMD-SHELL", "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG"]
      interval: 1s
      timeout: 3s
      retries: 30
  postgres:
    image: cfn-test/postgres:1
    environment:
      POSTGRES_PASSWORD: secret
    ports: ["$(free_port):5432"]
    volumes: [pg-data:/var/lib/postgresql/data]
    healthcheck:
      test: ["CMD", "pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]
      interval: 1s
      timeout: 3s
      retries: 60
  app:
    image: cfn-test/app:1
    ports: ["$(free_port):8080"]
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health"]
      interval: 1s
      timeout: 3s
      retries: 30
volumes:
  pg-data:
YAML
repo_init "$stack" "${tag}s"
# cfn up also runs these checks itself once the stack is healthy.
cat >>"$stack/cfn.toml" <<'TOML'

[health.cache]
type = "redis"
url = "redis://127.0.0.1:{{ ports.redis }}"

[health.db]
type = "postgres"
url = "postgresql://postgres:secret@127.0.0.1:{{ ports.postgres }}/postgres"

[health.web]
type = "http"
url = "http://127.0.0.1:{{ ports.app }}/health"
TOML
git -C "$stack" commit -q -am "health checks"
(cd "$stack" && "$cfn" -q worktree add bench >/dev/null)
wt="$work/${tag}s-bench"
[ -f "$wt/.cfn/env" ] || die "no worktree at $wt"
cfn_project="${tag}s-bench"
plain_project="${tag}p"
services=(redis postgres app)
plain_names=()
for s in "${services[@]}"; do plain_names+=("$plain_project-$s-1"); done
printf 'stack: %s; cfn project %s (worktree), plain project %s (the same file)\n' \
    "${services[*]}" "$cfn_project" "$plain_project"

all_healthy() { # all_healthy NAME...: every container running and healthy
    local line n=0
    while read -r line; do
        [ "$line" = "running healthy" ] || return 1
        n=$((n + 1))
    done < <(docker inspect -f '{{.State.Status}} {{.State.Health.Status}}' "$@" 2>/dev/null)
    [ "$n" = "$#" ]
}
cfn_names() { docker ps -q --filter "label=com.docker.compose.project=$cfn_project"; }

log="$work/up.log"
: >"$log"
# When the engine created the first container and when the last container's first successful
# health probe ended (epoch seconds), from `docker inspect`, after a run: this splits a run into
# "until compose created the containers", "until the engine had them all healthy" (docker's
# business, the same for both sides) and "until the tool noticed and returned" (the tool's).
engine_times() { # engine_times NAME... -> "created_first healthy_last"
    local name created first created_min='' healthy_max=''
    for name in "$@"; do
        read -r created first < <(docker inspect -f \
            '{{.Created}} {{range .State.Health.Log}}{{if eq .ExitCode 0}}{{.End.UnixNano}} {{end}}{{end}}' "$name")
        created=$(date -d "$created" +%s.%N)
        first=$(awk -v n="$first" 'BEGIN { printf "%.6f", n / 1e9 }')
        created_min=$(awk -v a="${created_min:-$created}" -v b="$created" 'BEGIN { print (b < a ? b : a) }')
        healthy_max=$(awk -v a="${healthy_max:-$first}" -v b="$first" 'BEGIN { print (b > a ? b : a) }')
    done
    echo "$created_min $healthy_max"
}
record() { # record FILE T0 T1 NAME...: appends "total created healthy noticed" (seconds from T0)
    local file=$1 t0=$2 t1=$3 created healthy
    shift 3
    read -r created healthy < <(engine_times "$@")
    awk -v t0="$t0" -v t1="$t1" -v c="$created" -v h="$healthy" \
        'BEGIN { printf "%.6f %.6f %.6f %.6f\n", t1 - t0, c - t0, h - t0, t1 - h }' >>"$file"
}
cfn_names=()
for s in "${services[@]}"; do cfn_names+=("$cfn_project-$s-1"); done

run_cfn() { # one timed cfn up; appends its times to $1
    local t0 t1
    t0=$EPOCHREALTIME
    (cd "$wt" && "$cfn" up --timeout 120 >>"$log" 2>&1) || die "cfn up failed (see the log below)"$'\n'"$(tail -n 30 "$log")"
    t1=$EPOCHREALTIME
    all_healthy "${cfn_names[@]}" || die "cfn up returned before all three were healthy"
    record "$1" "$t0" "$t1" "${cfn_names[@]}"
    (cd "$wt" && "$cfn" -q down --volumes --yes >>"$log" 2>&1) || die "cfn down failed"
}
run_plain() { # one timed compose up -d + polling; appends its times to $1
    local t0 t1 deadline
    t0=$EPOCHREALTIME
    "${compose[@]}" -p "$plain_project" -f "$stack/docker-compose.yml" up -d >>"$log" 2>&1 || die "compose up failed"
    deadline=$((SECONDS + 120))
    until [ "$(docker inspect -f '{{.State.Health.Status}}' "${plain_names[@]}" | grep -cx healthy)" = 3 ]; do
        [ "$SECONDS" -lt "$deadline" ] || die "plain stack not healthy within 120 s"
        sleep "$poll"
    done
    t1=$EPOCHREALTIME
    record "$1" "$t0" "$t1" "${plain_names[@]}"
    "${compose[@]}" -p "$plain_project" -f "$stack/docker-compose.yml" down -v >>"$log" 2>&1 || die "compose down failed"
}
settle() { sleep 1; }
column() { awk -v c="$1" '{ print $c }' "$2" >"$2.$1"; echo "$2.$1"; }

printf 'warm-up: one run of each (not counted)\n'
run_cfn "$work/warm.cfn"
settle
run_plain "$work/warm.plain"
settle
: >"$work/t.cfn" && : >"$work/t.plain"
for ((i = 1; i <= up_runs; i++)); do
    if ((i % 2)); then
        run_cfn "$work/t.cfn"; settle
        run_plain "$work/t.plain"; settle
        order="cfn, plain"
    else
        run_plain "$work/t.plain"; settle
        run_cfn "$work/t.cfn"; settle
        order="plain, cfn"
    fi
    read -r ct cc ch cn < <(tail -n1 "$work/t.cfn")
    read -r pt pc ph pn < <(tail -n1 "$work/t.plain")
    printf 'run %d/%d (%s): cfn %.3f s (created %.3f, healthy %.3f, noticed +%.3f), plain %.3f s (created %.3f, healthy %.3f, noticed +%.3f)\n' \
        "$i" "$up_runs" "$order" "$ct" "$cc" "$ch" "$cn" "$pt" "$pc" "$ph" "$pn"
done

read -r n c_mean c_sd c_med c_min c_max < <(stats "$(column 1 "$work/t.cfn")")
read -r _ p_mean p_sd p_med p_min p_max < <(stats "$(column 1 "$work/t.plain")")
say "1. results (ms; ratio = cfn / plain, goal <= 1.05)"
echo "| command | runs | mean ± sd | median | min | max |"
echo "|---|---|---|---|---|---|"
echo "| cfn up (until healthy, then its own health checks) | $n | $c_mean ± $c_sd | $c_med | $c_min | $c_max |"
echo "| $compose_cmd up -d + inspect every ${poll} s | $n | $p_mean ± $p_sd | $p_med | $p_min | $p_max |"
awk -v cm="$c_mean" -v cs="$c_sd" -v pm="$p_mean" -v ps="$p_sd" -v cmed="$c_med" -v pmed="$p_med" 'BEGIN {
    r = cm / pm; rsd = r * sqrt((cs / cm) ^ 2 + (ps / pm) ^ 2)
    printf "\nratio of means cfn/plain: %.3f ± %.3f; ratio of medians: %.3f; goal <= 1.05: %s\n",
        r, rsd, cmed / pmed, (r <= 1.05 ? "met" : "MISSED")
    printf "difference of means: %+.0f ms\n", cm - pm }'
echo
echo "Each run split by the engine's own timestamps (ms from the start of the command; mean ± sd):"
echo
echo "| phase | cfn up | plain |"
echo "|---|---|---|"
for c in 2:"first container created (process start, cfn's preparation, compose start-up)" \
    3:"last container's first successful health probe ended (the engine's side)" \
    4:"then until the command returned (noticing, cfn's health checks, exit)"; do
    read -r _ cm csd _ < <(stats "$(column "${c%%:*}" "$work/t.cfn")")
    read -r _ pm psd _ < <(stats "$(column "${c%%:*}" "$work/t.plain")")
    echo "| ${c#*:} | $cm ± $csd | $pm ± $psd |"
done
# The engine's part (first container created -> last container healthy) is the same work on both
# sides but jumps by whole health-check intervals from run to run; the rest is the tools' own.
paste "$work/t.cfn.2" "$work/t.cfn.3" "$work/t.cfn.4" | awk '{ print $1 + $3 }' >"$work/own.cfn"
paste "$work/t.plain.2" "$work/t.plain.3" "$work/t.plain.4" | awk '{ print $1 + $3 }' >"$work/own.plain"
cat "$work/t.cfn.3" "$work/t.plain.3" >"$work/healthy.all"
cat "$work/t.cfn.2" "$work/t.plain.2" >"$work/created.all"
read -r _ co cosd _ < <(stats "$work/own.cfn")
read -r _ po posd _ < <(stats "$work/own.plain")
read -r _ ha _ < <(stats "$work/healthy.all")
read -r _ ca _ < <(stats "$work/created.all")
awk -v co="$co" -v cosd="$cosd" -v po="$po" -v posd="$posd" -v e="$(awk -v h="$ha" -v c="$ca" 'BEGIN { print h - c }')" 'BEGIN {
    printf "| the tool'"'"'s own time (before the first container + after the last health probe) | %.1f ± %.1f | %.1f ± %.1f |\n", co, cosd, po, posd
    printf "\nengine'"'"'s part (first container created -> all healthy), mean over both sides: %.0f ms\n", e
    printf "with that part equal on both sides: cfn %.0f ms vs plain %.0f ms, ratio %.3f\n", e + co, e + po, (e + co) / (e + po) }'

say "1b. where cfn up's time goes (one more run, not timed above; -v, each line time-stamped)"
t0=$EPOCHREALTIME
(cd "$wt" && "$cfn" -v up --timeout 120 2>&1) | while IFS= read -r line; do
    printf '%8.3f s  %s\n' "$(elapsed "$t0" "$EPOCHREALTIME")" "$line"
done
printf '%8.3f s  (cfn exited)\n' "$(elapsed "$t0" "$EPOCHREALTIME")"
read -r _ created healthy _ < <(record /dev/stdout "$t0" "$EPOCHREALTIME" "${cfn_names[@]}")
printf 'engine: first container created at %.3f s, last first-healthy probe ended at %.3f s\n' "$created" "$healthy"
t0=$EPOCHREALTIME
(cd "$wt" && "$cfn" -q health >/dev/null 2>&1) || die "cfn health failed on the running stack"
t1=$EPOCHREALTIME
printf 'cfn health on the running stack (process start, configuration, the three checks): %.0f ms\n' \
    "$(awk -v s="$(elapsed "$t0" "$t1")" 'BEGIN { print s * 1000 }')"
(cd "$wt" && "$cfn" -q down --volumes --yes >>"$log" 2>&1)
for _ in 1 2 3; do
    t0=$EPOCHREALTIME
    "${compose[@]}" version --short >/dev/null
    t1=$EPOCHREALTIME
    elapsed "$t0" "$t1"
done >"$work/t.probe"
read -r _ probe _ < <(stats "$work/t.probe")
printf '%s version --short (how cfn up detects compose before it runs it; mean of 3): %.0f ms\n' \
    "$compose_cmd" "$probe"

# ================================================================================================
# 2. cfn status vs compose ps per project
# ================================================================================================
say "2. cfn status vs $compose_cmd ps, $nstacks stacks up"
fleet="$work/fleet"
mkdir -p "$fleet"
cat >"$fleet/docker-compose.yml" <<YAML
services:
  app:
    image: cfn-test/app:1
    ports: ["$(free_port):8080"]
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health"]
      interval: 1s
      timeout: 3s
      retries: 30
YAML
repo_init "$fleet" "${tag}f"
projects=()
for ((i = 1; i <= nstacks; i++)); do
    b=$(printf 'w%02d' "$i")
    (cd "$fleet" && "$cfn" -q worktree add "$b" >/dev/null)
    (cd "$work/${tag}f-$b" && "$cfn" -q up --timeout 120 >>"$log" 2>&1) || die "cfn up of $b failed"
    projects+=("${tag}f-$b")
done
up=$("$cfn" -C "$fleet" status --json | jq '[.[] | select(.services | length > 0)
    | select(all(.services[]; .state == "running" and .health == "healthy"))] | length')
[ "$up" = "$nstacks" ] || die "cfn status shows $up running stacks, expected $nstacks"
printf '%s stacks up (one app container each); cfn status lists %s worktrees\n' "$up" \
    "$("$cfn" -C "$fleet" status --json | jq length)"

cat >"$work/ps-each.sh" <<SH
#!/bin/sh
for p in ${projects[*]}; do $compose_cmd -p "\$p" ps; done
SH
# The plain side must see every stack too.
[ "$(sh "$work/ps-each.sh" 2>/dev/null | grep -c "${tag}f-")" = "$nstacks" ] \
    || die "$compose_cmd ps did not list $nstacks containers"

cfn_status=(--command-name "cfn status" "'$cfn' -C '$fleet' status")
ps_each=(--command-name "$compose_cmd ps x$nstacks" "sh '$work/ps-each.sh'")
one_ps=(--command-name "docker ps (one call, for reference)"
    "docker ps --filter label=com.docker.compose.project --filter label=dev.cfn.project=${tag}f")
files=()
for pass in 1 2; do
    if ((pass == 1)); then order=("${cfn_status[@]}" "${ps_each[@]}" "${one_ps[@]}")
    else order=("${ps_each[@]}" "${one_ps[@]}" "${cfn_status[@]}"); fi
    say "2. pass $pass/2: 3 warm-up + $status_runs measured runs each"
    hyperfine --style basic --warmup 3 --runs "$status_runs" --export-json "$work/status-$pass.json" "${order[@]}"
    files+=("$work/status-$pass.json")
done

say "2. results, both passes (ms; ratio = compose ps x$nstacks / cfn status, goal >= 5)"
jq -rs --arg ps "$compose_cmd ps x$nstacks" '
    def ms: . * 10000 | round / 10;
    def stats: length as $n | (add / $n) as $m
        | { n: $n, mean: $m, sd: ((map(. - $m | . * .) | add) / ($n - 1) | sqrt),
            median: (sort | if $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end) };
    def times($name): [.[].results[] | select(.command == $name) | .times[]];
    . as $all
    | (["cfn status", $ps, "docker ps (one call, for reference)"] | map(. as $c | {c: $c, s: ($all | times($c) | stats)})) as $rows
    | "| command | runs | mean ± sd | median |", "|---|---|---|---|",
      ($rows[] | "| \(.c) | \(.s.n) | \(.s.mean | ms) ± \(.s.sd | ms) | \(.s.median | ms) |"),
      "",
      (($rows[1].s.mean / $rows[0].s.mean) as $r
       | "\($ps) / cfn status: \($r * 100 | round / 100)x (means), \($rows[1].s.median / $rows[0].s.median * 100 | round / 100)x (medians); goal >= 5: \(if $r >= 5 then "met" else "MISSED" end)")
' "${files[@]}"

say "2. tear-down"
for ((i = 1; i <= nstacks; i++)); do
    b=$(printf 'w%02d' "$i")
    (cd "$work/${tag}f-$b" && "$cfn" -q down --volumes --yes >>"$log" 2>&1) || true
done
echo "done"
