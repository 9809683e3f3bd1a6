#!/usr/bin/env bash
# Branch data (docs/benchmarks.md, section "Branch data: clone, snapshot, restore", records its
# results): a repository whose compose file has a Redis with a named volume; branch `feat`'s
# volume is filled with CFN_BENCH_MIB MiB (default 1024: one large file plus 1,000 small ones),
# then the steps of a copy in helper containers (a helper's start alone, its `cp -a`, its
# emptying of a target) and, side by side in one run: the naive copy `docker run --rm -v a:/a
# -v b:/b IMAGE cp -a /a/. /b/` into a fresh volume and the naive replacement (`find … rm -rf`
# then `cp -a` in one container, over that copy), `cfn data clone --from feat` into a new
# worktree (its volume created by the copy) and again (replacing that data), both as cfn chooses
# (on the host when it can) and with CFN_DATA_COPY=helper, `cfn data snapshot`, `cfn data
# restore` (replacing data), each CFN_BENCH_RUNS times (default 3), with the snapshot's size.
#
# PostgreSQL part: one server (cfn-test/postgres:1, data folder on a named volume) holding the
# main checkout's database `shop_main` with CFN_BENCH_PG_MIB MiB of rows (default 1024) and an
# empty `shop_feat`; the repository's migrations.url names `shop_{{ branch_slug }}` on that
# server. Side by side, CFN_BENCH_PG_RUNS times (default 2): `pg_dump shop_main | psql` into a
# fresh database (the dump/restore baseline), `cfn data clone --from main -b feat` (one server:
# CREATE DATABASE … TEMPLATE), and the volume copy `docker run … cp -a` of the server's data
# folder (server stopped, as `strategy = "volume"` would need).
#
#   bash scripts/bench-data.sh
#
# Everything runs in a throw-away directory with a private CFN_HOME and hermetic git; every
# volume and container it creates is removed at the end. Knobs: CFN_BENCH_MIB, CFN_BENCH_RUNS,
# CFN_BENCH_BIN (a cfn binary instead of building the release one), CFN_BENCH_IMAGE (default
# cfn-test/redis:1), CFN_BENCH_PARTS (default "volume postgres"), CFN_BENCH_PG_MIB, CFN_BENCH_PG_RUNS.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

mib=${CFN_BENCH_MIB:-1024}
parts=${CFN_BENCH_PARTS:-volume postgres}
pg_mib=${CFN_BENCH_PG_MIB:-1024}
pg_runs=${CFN_BENCH_PG_RUNS:-2}
runs=${CFN_BENCH_RUNS:-3}
image=${CFN_BENCH_IMAGE:-cfn-test/redis:1}

bench_name=bench-data
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

release_cfn
docker image inspect "$image" >/dev/null 2>&1 || die "image $image is not on this machine"

say "machine"
machine_info
printf 'docker:    %s (storage driver %s)\n' "$(docker version --format '{{.Server.Version}}')" \
    "$(docker info --format '{{.Driver}}')"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'cfn:       %s\n' "$cfn"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/cfn-bench-data.XXXXXX")
project=cfnbenchdata$$
export CFN_HOME="$scratch/home" HOME="$scratch" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
cleanup() {
    docker rm -f -v "$project-pgserver" >/dev/null 2>&1 || true
    for id in $(docker ps -aq --filter "label=com.docker.compose.project" --filter "name=$project"); do
        docker rm -f -v "$id" >/dev/null
    done
    for v in $(docker volume ls -q | grep "^$project" || true); do docker volume rm -f "$v" >/dev/null; done
    docker volume rm -f "$project-naive" >/dev/null 2>&1 || true
    docker volume rm -f "$project-pg" "$project-pgcopy" >/dev/null 2>&1 || true
    rm -rf "$scratch"
}
trap cleanup EXIT

bench_volume() {
repo="$scratch/$project"
mkdir -p "$repo"
cat >"$repo/compose.yaml" <<YAML
services:
  redis:
    image: $image
    ports: ["6379:6379"]
    volumes: [data:/data]
volumes:
  data:
YAML
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" commit -qm initial
(cd "$repo" && "$cfn" init --yes >/dev/null && "$cfn" worktree add feat >/dev/null)
feat=$(cd "$repo" && "$cfn" ports feat --json | sed -n 's/.*"path": "\(.*\)".*/\1/p')
(cd "$feat" && "$cfn" up --timeout 60 >/dev/null && "$cfn" down >/dev/null)
source_volume="$(cd "$feat" && "$cfn" ports --json | sed -n 's/.*"project": "\(.*\)".*/\1/p')_data"

say "fill $source_volume with $mib MiB"
docker run --rm -v "$source_volume:/data" --entrypoint sh "$image" -c \
    "head -c $((mib * 1024 * 1024)) /dev/urandom > /data/big && mkdir -p /data/small && \
     i=0; while [ \$i -lt 1000 ]; do echo \$i > /data/small/\$i; i=\$((i+1)); done"


say "steps of a copy through helper containers ($runs runs each, seconds)"
start=() copycmd=() empty=()
for i in $(seq "$runs"); do
    docker volume rm -f "$project-naive" >/dev/null 2>&1 || true
    docker volume create "$project-naive" >/dev/null
    start+=("$(seconds docker run --rm -v "$source_volume:/a" -v "$project-naive:/b" --entrypoint true "$image")")
    copycmd+=("$(seconds docker run --rm -v "$source_volume:/a" -v "$project-naive:/b" --entrypoint cp "$image" -a /a/. /b/)")
    empty+=("$(seconds docker run --rm -v "$project-naive:/b" --entrypoint find "$image" /b -mindepth 1 -maxdepth 1 -exec rm -rf {} +)")
done
printf '%-48s %s\n' "helper start and removal (\`true\`)" "${start[*]}"
printf '%-48s %s\n' "helper running cp -a (start + copy)" "${copycmd[*]}"
printf '%-48s %s\n' "helper emptying the target (start + rm)" "${empty[*]}"

say "results ($runs runs each, seconds)"
printf '%-48s %s\n' "operation" "times"
naive=() nreplace=() fresh=() clone=() hfresh=() hclone=() snap=() restore=()
for i in $(seq "$runs"); do
    docker volume rm -f "$project-naive" >/dev/null 2>&1 || true
    docker volume create "$project-naive" >/dev/null
    naive+=("$(seconds docker run --rm -v "$source_volume:/a" -v "$project-naive:/b" --entrypoint cp "$image" -a /a/. /b/)")
    # the naive way to replace data: empty the target and copy, in one container (not
    # crash-safe: killed in between, the target is left empty or half-copied)
    nreplace+=("$(seconds docker run --rm -v "$source_volume:/a" -v "$project-naive:/b" --entrypoint sh "$image" \
        -c 'find /b -mindepth 1 -maxdepth 1 -exec rm -rf {} + && cp -a /a/. /b/')")
    (cd "$repo" && "$cfn" worktree add "b$i" >/dev/null 2>&1 && "$cfn" worktree add "h$i" >/dev/null 2>&1)
    fresh+=("$(cd "$repo" && seconds "$cfn" data clone --from feat -b "b$i" --yes)")
    clone+=("$(cd "$repo" && seconds "$cfn" data clone --from feat -b "b$i" --yes)")
    hfresh+=("$(cd "$repo" && CFN_DATA_COPY=helper seconds "$cfn" data clone --from feat -b "h$i" --yes)")
    hclone+=("$(cd "$repo" && CFN_DATA_COPY=helper seconds "$cfn" data clone --from feat -b "h$i" --yes)")
    snap+=("$(cd "$feat" && seconds "$cfn" data snapshot "s$i")")
    restore+=("$(cd "$repo" && seconds "$cfn" data restore "s$i" -b "b$i" --yes)")
done
printf '%-48s %s\n' "docker run … cp -a /a/. /b/ (naive)" "${naive[*]}"
printf '%-48s %s\n' "docker run … rm, then cp -a (naive, replacing)" "${nreplace[*]}"
printf '%-48s %s\n' "cfn data clone --from feat (new volume)" "${fresh[*]}"
printf '%-48s %s\n' "cfn data clone --from feat (replacing data)" "${clone[*]}"
printf '%-48s %s\n' "same, CFN_DATA_COPY=helper (new volume)" "${hfresh[*]}"
printf '%-48s %s\n' "same, CFN_DATA_COPY=helper (replacing data)" "${hclone[*]}"
printf '%-48s %s\n' "cfn data snapshot" "${snap[*]}"
printf '%-48s %s\n' "cfn data restore" "${restore[*]}"
say "snapshot size"
du -sh "$CFN_HOME/snapshots/$project/s1"
}

bench_postgres() {
    local pgport=35432 pgrepo="$scratch/${project}pg" i
    export PGPASSWORD=secret PGHOST=127.0.0.1 PGPORT=$pgport PGUSER=postgres
    docker run -d --name "$project-pgserver" -p "127.0.0.1:$pgport:5432" -e POSTGRES_PASSWORD=secret \
        -v "$project-pg:/var/lib/postgresql/data" cfn-test/postgres:1 >/dev/null
    until psql -Atqc 'SELECT 1' >/dev/null 2>&1; do sleep 0.5; done
    say "fill shop_main with $pg_mib MiB of rows"
    psql -q -c 'CREATE DATABASE shop_main' -c 'CREATE DATABASE shop_feat'
    # about 250 bytes a row on disk
    psql -q -d shop_main -c "CREATE TABLE items AS SELECT g AS id, md5(g::text) || repeat('x', 180) AS payload
        FROM generate_series(1, $((pg_mib * 4200))) g" -c 'CREATE INDEX ON items (id)' -c 'CHECKPOINT'
    psql -Atc "SELECT 'shop_main: ' || pg_size_pretty(pg_database_size('shop_main'))"

    mkdir -p "$pgrepo"
    printf 'services:\n  cache:\n    image: %s\n' "$image" >"$pgrepo/compose.yaml"
    git -C "$pgrepo" init -q -b main
    (cd "$pgrepo" && "$cfn" init --yes >/dev/null)
    printf '\n[migrations]\ntarget = "postgres"\nurl = "postgresql://postgres:secret@127.0.0.1:%s/shop_{{ branch_slug }}"\n' \
        "$pgport" >>"$pgrepo/cfn.toml"
    git -C "$pgrepo" add -A
    git -C "$pgrepo" commit -qm initial
    (cd "$pgrepo" && "$cfn" worktree add feat >/dev/null)

    say "results ($pg_runs runs each, seconds)"
    local dump=() template=() copy=()
    dump_restore() { createdb shop_naive && pg_dump --no-owner --no-privileges shop_main | psql -Xq -v ON_ERROR_STOP=1 -d shop_naive; }
    copy_volume() {
        docker stop "$project-pgserver" >/dev/null
        docker volume rm -f "$project-pgcopy" >/dev/null 2>&1 || true
        docker volume create "$project-pgcopy" >/dev/null
        seconds docker run --rm -v "$project-pg:/a" -v "$project-pgcopy:/b" --entrypoint cp cfn-test/postgres:1 -a /a/. /b/
        docker start "$project-pgserver" >/dev/null
        until psql -Atqc 'SELECT 1' >/dev/null 2>&1; do sleep 0.5; done
    }
    for i in $(seq "$pg_runs"); do
        dropdb --if-exists shop_naive
        dump+=("$(seconds dump_restore)")
        template+=("$(cd "$pgrepo" && seconds "$cfn" data clone --from main -b feat --yes)")
        copy+=("$(copy_volume)")
    done
    printf '%-48s %s\n' "pg_dump shop_main | psql (dump/restore)" "${dump[*]}"
    printf '%-48s %s\n' "cfn data clone (CREATE DATABASE … TEMPLATE)" "${template[*]}"
    printf '%-48s %s\n' "docker run … cp -a of the data folder (stopped)" "${copy[*]}"
    psql -Atc "SELECT 'shop_feat rows: ' || count(*) FROM items" -d shop_feat
}

# `sync` first: each timing must not pay for writing back the previous one's dirty pages.
seconds() { local t0 t1; sync; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

for part in $parts; do
    case $part in
        volume) bench_volume ;;
        postgres) bench_postgres ;;
        *) die "unknown part $part (volume, postgres)" ;;
    esac
done
