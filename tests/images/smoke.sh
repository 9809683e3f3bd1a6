#!/usr/bin/env bash
# Smoke test of the cfn-test/* images (scripts/build-test-images.sh) under Compose v1 and v2.
#
#   tests/images/smoke.sh [v1] [v2]        (default: both; SKIP_BUILD=1 skips the build step)
#
# For each Compose, with a unique project name and a compose file using all three images
# (postgres and redis on named volumes, a password-protected redis, the app, one-shot jobs, an
# app whose health check is overridden to fail):
#   1. `up -d`, then wait (<= 60 s, polling `docker inspect`) until the services are healthy;
#   2. from the host: redis-cli ping/SET on the published port, psql with the password (and a
#      wrong password refused), curl /health; jobs exited 0 / 1; the overridden app is unhealthy;
#   3. `down` (volumes kept), `up -d` again, the redis key and the postgres row are still there;
#   4. `down -v`: no container, volume or network of the project is left.
# Prints the timings of each phase. Everything it creates is removed on exit, also on failure.
set -euo pipefail
export LC_ALL=C COMPOSE_ANSI=never

prog=smoke
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
version=1
timeout=60

variants=("$@")
[ "${#variants[@]}" -gt 0 ] || variants=(v1 v2)

reason=
die() {
    reason=$*
    printf '%s: FAILED: %s\n' "$prog" "$*" >&2
    exit 1
}

tmp=$(mktemp -d -t cfn-smoke.XXXXXX)
projects=()
current=
compose_cmd=()

compose() { "${compose_cmd[@]}" -p "$current" -f "$tmp/compose.yaml" "$@"; }

by_label() { # KIND PROJECT [SERVICE]: ids of containers/volumes/networks of a project
    local kind=$1 filters=(--filter "label=com.docker.compose.project=$2")
    [ -z "${3:-}" ] || filters+=(--filter "label=com.docker.compose.service=$3")
    case $kind in
        container) docker ps -aq "${filters[@]}" ;;
        volume) docker volume ls -q "${filters[@]}" ;;
        network) docker network ls -q "${filters[@]}" ;;
    esac
}

cleanup() {
    local rc=$? p ids=()
    if [ "$rc" -ne 0 ] && [ -n "$current" ]; then
        echo "--- $current: compose ps / logs (last 30 lines each) ---" >&2
        compose ps >&2 2>&1 || true
        compose logs --no-color --tail=30 >&2 2>&1 || true
    fi
    for p in "${projects[@]}"; do
        current=$p
        [ "${#compose_cmd[@]}" -eq 0 ] || compose down -v --remove-orphans -t 2 >/dev/null 2>&1 || true
        mapfile -t ids < <(by_label container "$p")
        [ "${#ids[@]}" -eq 0 ] || docker rm -f "${ids[@]}" >/dev/null 2>&1 || true
        mapfile -t ids < <(by_label volume "$p")
        [ "${#ids[@]}" -eq 0 ] || docker volume rm -f "${ids[@]}" >/dev/null 2>&1 || true
        mapfile -t ids < <(by_label network "$p")
        [ "${#ids[@]}" -eq 0 ] || docker network rm "${ids[@]}" >/dev/null 2>&1 || true
    done
    rm -rf "$tmp"
    [ "$rc" -eq 0 ] || printf '%s: FAILED (exit %s)%s\n' "$prog" "$rc" "${reason:+: $reason}" >&2
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'; }

# --- prerequisites -----------------------------------------------------------------------------

"$root/scripts/ensure-packages.sh" redis-tools postgresql-client-15 curl
if [ -z "${SKIP_BUILD:-}" ]; then
    "$root/scripts/build-test-images.sh" >/dev/null || die "scripts/build-test-images.sh"
fi
for image in redis postgres app; do
    docker image inspect "cfn-test/$image:$version" >/dev/null 2>&1 || die "image cfn-test/$image:$version missing"
done

redis_pw=smoke-redis-pw
pg_pw='smoke pg pw'
cat >"$tmp/compose.yaml" <<EOF
services:
  db:
    image: cfn-test/postgres:$version
    environment:
      POSTGRES_USER: smoke
      POSTGRES_PASSWORD: "$pg_pw"
      POSTGRES_DB: smokedb
    ports: ["127.0.0.1::5432"]
    volumes: ["pgdata:/var/lib/postgresql/data"]
  cache:
    image: cfn-test/redis:$version
    ports: ["127.0.0.1::6379"]
    volumes: ["redisdata:/data"]
  cache-auth:
    image: cfn-test/redis:$version
    command: ["redis-server", "--requirepass", "$redis_pw"]
    ports: ["127.0.0.1::6379"]
  app:
    image: cfn-test/app:$version
    ports: ["127.0.0.1::8080"]
  job-ok:
    image: cfn-test/app:$version
    command: ["sh", "-c", "exit 0"]
  job-fail:
    image: cfn-test/app:$version
    command: ["sh", "-c", "exit 1"]
  job-dns:
    image: cfn-test/app:$version
    command: ["sh", "-c", "wget -q -O /dev/null http://app:8080/health"]
    depends_on:
      app: {condition: service_healthy}
  sick:
    image: cfn-test/app:$version
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 2
volumes:
  pgdata:
  redisdata:
EOF

healthy_services=(db cache cache-auth app)

container_of() {
    local id
    id=$(by_label container "$current" "$1")
    [ -n "$id" ] || die "$current: no container for service $1"
    printf '%s\n' "$id"
}

state_of() { docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}/{{.State.ExitCode}}' "$(container_of "$1")"; }

wait_for() { # DESCRIPTION PREDICATE...: poll every 0.2 s, up to $timeout s
    local what=$1 deadline=$((SECONDS + timeout))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || die "$current: $what not reached within ${timeout}s"
        sleep 0.2
    done
}

all_healthy() {
    local s
    for s in "${healthy_services[@]}"; do
        case $(state_of "$s") in
            running/healthy/*) ;;
            exited/* | */unhealthy/*) die "$current: service $s failed: $(state_of "$s")" ;;
            *) return 1 ;;
        esac
    done
}

exited_with() { # SERVICE CODE
    case $(state_of "$1") in
        exited/*/"$2") return 0 ;;
        exited/*) die "$current: job $1 exited $(state_of "$1" | cut -d/ -f3), expected $2" ;;
        *) return 1 ;;
    esac
}

is_unhealthy() { case $(state_of sick) in running/unhealthy/*) return 0 ;; *) return 1 ;; esac; }

port_of() { # SERVICE CONTAINER-PORT -> published host port
    local out
    out=$(compose port "$1" "$2" 2>/dev/null) || die "$current: compose port $1 $2"
    out=${out##*:}
    [[ $out =~ ^[0-9]+$ ]] || die "$current: no published port for $1:$2"
    printf '%s\n' "$out"
}

# Published ports of the current containers, into globals (plain assignments, so that a failure
# stops the script: a failing $(...) inside a command's arguments would not).
read_ports() {
    pg_port=$(port_of db 5432)
    redis_port=$(port_of cache 6379)
    auth_port=$(port_of cache-auth 6379)
    app_port=$(port_of app 8080)
}

pg() { PGPASSWORD=$pg_pw psql -X -q -h 127.0.0.1 -p "$pg_port" -U smoke -d smokedb -v ON_ERROR_STOP=1 -Atc "$1"; }

expect() { # DESCRIPTION EXPECTED ACTUAL
    [ "$2" = "$3" ] || die "$current: $1: expected '$2', got '$3'"
}

count() { by_label "$1" "$current" | grep -c . || true; }

# --- one run per Compose -----------------------------------------------------------------------

smoke() {
    local variant=$1 t line
    case $variant in
        v1) compose_cmd=(docker-compose) ;;
        v2) compose_cmd=(docker compose) ;;
        *) die "unknown variant $variant (v1 or v2)" ;;
    esac
    current=cfn-smoke-$variant-$$-$RANDOM
    projects+=("$current")
    line="$prog $variant ($("${compose_cmd[@]}" version --short 2>/dev/null)):"

    t=$EPOCHREALTIME
    compose up -d >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log" >&2; die "$current: up -d"; }
    wait_for "all services healthy" all_healthy
    line+=" up->healthy $(since "$t")"
    read_ports

    # Services, from the host.
    expect "redis ping" PONG "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping)"
    expect "redis set" OK "$(redis-cli -h 127.0.0.1 -p "$redis_port" set smoke:key "kept-$$")"
    expect "redis appendonly" "appendonly yes" "$(redis-cli -h 127.0.0.1 -p "$redis_port" config get appendonly | paste -sd' ')"
    expect "redis without the password" "NOAUTH Authentication required." "$(redis-cli -h 127.0.0.1 -p "$auth_port" ping 2>&1)"
    expect "redis with the password" PONG "$(REDISCLI_AUTH=$redis_pw redis-cli -h 127.0.0.1 -p "$auth_port" ping)"
    expect "psql select 1" 1 "$(pg 'select 1')"
    pg "create table smoke (v text); insert into smoke values ('kept-$$')"
    if PGPASSWORD=wrong psql -X -h 127.0.0.1 -p "$pg_port" -U smoke -d smokedb -c 'select 1' >/dev/null 2>&1; then
        die "$current: postgres accepted a wrong password"
    fi
    expect "app /health" ok "$(curl -fsS "http://127.0.0.1:$app_port/health")"
    curl -fsS "http://127.0.0.1:$app_port/" | grep -q 'cfn test app' || die "$current: app / page"
    wait_for "job-ok exit 0" exited_with job-ok 0
    wait_for "job-fail exit 1" exited_with job-fail 1
    wait_for "job-dns exit 0" exited_with job-dns 0
    t=$EPOCHREALTIME
    wait_for "sick unhealthy" is_unhealthy
    line+=", checks ok (sick unhealthy after +$(since "$t"))"

    # down keeps the named volumes; up again finds the data.
    t=$EPOCHREALTIME
    compose down >"$tmp/down.log" 2>&1 || { cat "$tmp/down.log" >&2; die "$current: down"; }
    line+=", down $(since "$t")"
    expect "containers after down" 0 "$(count container)"
    expect "volumes after down" 2 "$(count volume)"
    t=$EPOCHREALTIME
    compose up -d >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log" >&2; die "$current: second up -d"; }
    wait_for "all services healthy again" all_healthy
    line+=", re-up->healthy $(since "$t")"
    read_ports
    expect "redis key after down/up" "kept-$$" "$(redis-cli -h 127.0.0.1 -p "$redis_port" get smoke:key)"
    expect "postgres row after down/up" "kept-$$" "$(pg 'select v from smoke')"
    line+=", data kept"

    t=$EPOCHREALTIME
    compose down -v >"$tmp/down.log" 2>&1 || { cat "$tmp/down.log" >&2; die "$current: down -v"; }
    line+=", down -v $(since "$t")"
    expect "containers after down -v" 0 "$(count container)"
    expect "volumes after down -v" 0 "$(count volume)"
    expect "networks after down -v" 0 "$(count network)"
    printf '%s, nothing left: ok\n' "$line"
}

for variant in "${variants[@]}"; do
    smoke "$variant"
done
