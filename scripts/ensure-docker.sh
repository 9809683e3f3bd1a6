#!/usr/bin/env bash
# Makes sure a Docker Engine answers `docker info`.
#
# When `docker info` already works this does nothing at all. Otherwise it installs Debian's
# docker.io (and docker-compose, v1, when absent) and starts dockerd in the background, logging to
# $DOCKERD_LOG (default /var/log/dockerd.log), then waits up to 60 s for `docker info`.
# There is no init system to rely on: dockerd is started by hand and starts its own containerd.
# Quiet on success.
set -euo pipefail

prog=ensure-docker
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dockerd_log=${DOCKERD_LOG:-/var/log/dockerd.log}
timeout=60

engine_up() { docker info >/dev/null 2>&1; }
# Reads /proc directly: procps (pgrep) is not on every minimal machine.
dockerd_running() { grep -qsx dockerd /proc/[0-9]*/comm; }

if command -v docker >/dev/null 2>&1 && engine_up; then
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "docker info fails and starting dockerd needs root"

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    "$here/ensure-packages.sh" docker.io
fi
command -v docker-compose >/dev/null 2>&1 || "$here/ensure-packages.sh" docker-compose
command -v dockerd >/dev/null 2>&1 || die "dockerd not found after installing docker.io"

# Starts dockerd unless one is already running (then it may just be starting up: wait for it).
if ! dockerd_running; then
    # A pid file left by a daemon that died with an earlier session makes dockerd refuse to
    # start when its pid now belongs to another process; drop it unless that process is dockerd.
    for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile" 2>/dev/null || true)
        comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
        case $comm in dockerd | containerd) ;; *) rm -f "$pidfile" ;; esac
    done
    mkdir -p "$(dirname "$dockerd_log")"
    # setsid + nohup: the daemon outlives this script and the shell that ran it.
    printf '\n=== %s: starting dockerd\n' "$(date -Is)" >>"$dockerd_log"
    setsid nohup dockerd >>"$dockerd_log" 2>&1 </dev/null &
fi

for ((i = 0; i < timeout; i++)); do
    engine_up && exit 0
    sleep 1
    if ! dockerd_running; then
        tail -n 30 "$dockerd_log" >&2 || true
        die "dockerd is not running (it exited?); see $dockerd_log"
    fi
done
tail -n 30 "$dockerd_log" >&2 || true
die "docker info still fails after ${timeout}s; see $dockerd_log"
