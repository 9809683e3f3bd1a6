#!/usr/bin/env bash
# Makes `docker compose` (Compose v2) available beside v1's `docker-compose`.
#
# Debian bookworm ships only Compose v1 (1.29). Trixie's `docker-compose` package is Compose 2.x
# and needs only libc6 >= 2.34, so this takes its plugin binary without installing the package:
#   1. adds trixie to apt's sources, pinned to priority 1 so that nothing is installed or upgraded
#      from it unless asked for by name (below 100 also keeps packages that were installed from
#      no source, priority 100, from being "upgraded" to trixie versions);
#   2. `apt-get download docker-compose/trixie`, `dpkg -x` into a temp dir;
#   3. copies usr/libexec/docker/cli-plugins/docker-compose to /usr/libexec/docker/cli-plugins/.
# dpkg never learns of the package, so v1's /usr/bin/docker-compose stays as it is.
# Skips everything when `docker compose version` already works. Quiet on success.
set -euo pipefail

prog=install-compose-v2
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }

plugin_dir=/usr/libexec/docker/cli-plugins
sources=/etc/apt/sources.list.d/cfn-trixie.sources
prefs=/etc/apt/preferences.d/cfn-trixie
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

command -v docker >/dev/null 2>&1 || die "docker CLI not found; run scripts/ensure-docker.sh first"
docker compose version >/dev/null 2>&1 && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "must run as root (or with sudo available)"
    sudo=(sudo)
fi
[ -r "$keyring" ] || die "missing $keyring (install debian-archive-keyring)"

tmp=$(mktemp -d -t compose-v2.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log

# Runs a command with its output to $log; on failure shows the output and stops.
run() { "$@" >"$log" 2>&1 || { cat "$log" >&2; die "failed: $*"; }; }

# Writes stdin to a root-owned file, only when the content differs.
put() {
    local dest=$1 new=$tmp/put
    cat >"$new"
    cmp -s "$new" "$dest" 2>/dev/null || run "${sudo[@]}" install -m 0644 "$new" "$dest"
}

# Use the same mirror as bookworm's main suite.
# shellcheck disable=SC2016 # $(CODENAME) and $(SITE) are apt's fields, not shell expansions
mirror=$(apt-get indextargets --format '$(CODENAME) $(SITE)' 'Created-By: Packages' 2>/dev/null \
    | awk '$1 == "bookworm" { print $2; exit }')
mirror=${mirror:-http://deb.debian.org/debian}

# The pin goes in first, so trixie is never in the sources at default priority.
put "$prefs" <<PREFS
Explanation: cfn scripts/install-compose-v2.sh: trixie only for what is asked for by name
Explanation: (docker-compose/trixie); never upgrades or replaces bookworm packages.
Package: *
Pin: release n=trixie
Pin-Priority: 1
PREFS
put "$sources" <<SOURCES
# Added by cfn scripts/install-compose-v2.sh to fetch Compose v2; pinned low in $prefs.
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Targets: Packages
Signed-By: $keyring
SOURCES

apt=("${sudo[@]}" apt-get -q -y -o DPkg::Lock::Timeout=300)
# Refreshes trixie's list alone: bookworm's lists are left as they are.
update_trixie() {
    run "${apt[@]}" update -o Dir::Etc::SourceList="$sources" -o Dir::Etc::SourceParts=- \
        -o APT::Get::List-Cleanup=0
}

apt-cache show docker-compose/trixie >/dev/null 2>&1 || update_trixie

mkdir "$tmp/deb"
# apt drops to the _apt user to download; let it write here.
if id _apt >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then chown _apt "$tmp/deb"; fi
if ! (cd "$tmp/deb" && "${apt[@]}" download docker-compose/trixie) >"$log" 2>&1; then
    # The list may be stale (a point release removed that version from the pool).
    update_trixie
    (cd "$tmp/deb" && run "${apt[@]}" download docker-compose/trixie)
fi
deb=$(find "$tmp/deb" -name 'docker-compose_*.deb' | head -n 1)
[ -n "$deb" ] || die "apt-get download docker-compose/trixie produced no .deb"
version=$(dpkg-deb -f "$deb" Version)
case $version in 2.*) ;; *) die "docker-compose/trixie is $version, not Compose 2.x" ;; esac

run dpkg -x "$deb" "$tmp/root"
bin=$tmp/root/usr/libexec/docker/cli-plugins/docker-compose
[ -x "$bin" ] || die "$deb has no usr/libexec/docker/cli-plugins/docker-compose"
run "$bin" version

v1_before=$(docker-compose version --short 2>/dev/null || true)

run "${sudo[@]}" install -d -m 0755 "$plugin_dir"
run "${sudo[@]}" install -m 0755 "$bin" "$plugin_dir/docker-compose.new"
run "${sudo[@]}" mv -f "$plugin_dir/docker-compose.new" "$plugin_dir/docker-compose"

got=$(docker compose version --short 2>"$log") || { cat "$log" >&2; die "docker compose does not run after installing $plugin_dir/docker-compose"; }
case $got in v2.* | 2.*) ;; *) die "docker compose reports $got, expected 2.x" ;; esac

v1_after=$(docker-compose version --short 2>/dev/null || true)
[ "$v1_after" = "$v1_before" ] || die "docker-compose (v1) changed: '$v1_before' -> '$v1_after'"
