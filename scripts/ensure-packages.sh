#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet.
#
#   scripts/ensure-packages.sh redis-server redis-tools busybox-static
#
# Does nothing (and touches no package list) when all are installed; otherwise
# runs `apt-get update` once and `apt-get install` for the missing ones only.
# Quiet on success; on failure prints apt's output and exits non-zero.
set -euo pipefail

die() { printf 'ensure-packages: %s\n' "$*" >&2; exit 1; }

[ "$#" -gt 0 ] || die "usage: $0 PACKAGE..."

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "must run as root (or with sudo available)"
    sudo=(sudo)
fi

missing=()
for pkg in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

log=$(mktemp -t ensure-packages.XXXXXX)
trap 'rm -f "$log"' EXIT

# Wait for another apt/dpkg run instead of failing on its lock.
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300)

if ! "${apt[@]}" update >"$log" 2>&1; then
    cat "$log" >&2
    die "apt-get update failed (needed to install: ${missing[*]})"
fi
if ! "${apt[@]}" install --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    die "apt-get install failed for: ${missing[*]}"
fi
# A virtual package name is satisfied by another package and would never show as installed.
for pkg in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || { cat "$log" >&2; die "$pkg is not installed after apt-get install (a virtual package? name the real one)"; }
done
