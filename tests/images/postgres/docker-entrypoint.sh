#!/bin/sh
# Entrypoint of cfn-test/postgres (busybox sh). For `postgres [options]` (or options alone):
#   1. as root: make $PGDATA and the socket directory belong to postgres (uid 999), then re-run
#      this script as that user (util-linux setpriv, called by its full path: Debian's static
#      busybox sh runs its own applets before anything on PATH, and its setpriv lacks --reuid);
#   2. on first start ($PGDATA without PG_VERSION): initdb with $POSTGRES_USER as superuser and
#      $POSTGRES_PASSWORD as its password; trust on the local socket, password authentication
#      (scram-sha-256, or $POSTGRES_HOST_AUTH_METHOD) over TCP from anywhere; listen on '*';
#      then create $POSTGRES_DB in single-user mode (no server is started, so the health check
#      cannot pass before initialisation has finished);
#   3. exec postgres: it is PID 1 and handles SIGINT (STOPSIGNAL) as a fast shutdown.
# Any other command is exec'd as given.
set -eu

case "${1:-}" in
    -*) set -- postgres "$@" ;;
esac
[ "${1:-}" = postgres ] || exec "$@"
shift

PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA

log() { printf 'cfn-test/postgres: %s\n' "$*" >&2; }

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /run/postgresql
    if [ "$(stat -c %u "$PGDATA")" != 999 ]; then chown -R 999:999 "$PGDATA"; fi
    chmod 700 "$PGDATA"
    chown 999:999 /run/postgresql
    HOME=/var/lib/postgresql exec /usr/bin/setpriv --reuid=999 --regid=999 --clear-groups -- "$0" postgres "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    user=${POSTGRES_USER:-postgres}
    db=${POSTGRES_DB:-$user}
    password=${POSTGRES_PASSWORD:-}
    auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
    if [ -z "$password" ] && [ "$auth" != trust ]; then
        log 'database is uninitialized and POSTGRES_PASSWORD is not set'
        log 'set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without one'
        exit 1
    fi
    log "initialising $PGDATA (superuser $user, database $db, TCP auth $auth)"
    pwopt=
    if [ -n "$password" ]; then
        pwfile=$(mktemp)
        printf '%s\n' "$password" >"$pwfile"
        pwopt="--pwfile=$pwfile"
    fi
    # --no-sync: a test database need not survive a host crash, and the sync costs ~1 s.
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is split into words on purpose
    initdb -D "$PGDATA" --username="$user" $pwopt --auth-local=trust --auth-host="$auth" \
        --encoding=UTF8 --locale=C --no-sync ${POSTGRES_INITDB_ARGS:-} >/dev/null
    [ -z "$pwopt" ] || rm -f "$pwfile"
    printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
    printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    if [ "$db" != postgres ]; then
        quoted=$(printf '%s' "$db" | sed 's/"/""/g')
        # Single-user mode exits 0 even when the statement fails: look for the error instead.
        out=$(printf 'CREATE DATABASE "%s";\n' "$quoted" |
            postgres --single -D "$PGDATA" -c fsync=off -c log_min_messages=warning postgres 2>&1 >/dev/null) || {
            printf '%s\n' "$out" >&2
            exit 1
        }
        case "$out" in
            *ERROR:* | *FATAL:* | *PANIC:*)
                printf '%s\n' "$out" >&2
                log "could not create database $db"
                exit 1
                ;;
        esac
    fi
    log 'initialised'
fi

exec postgres "$@"
