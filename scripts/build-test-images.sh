#!/usr/bin/env bash
# Builds the Docker images cfn's tests use, offline, from the host's Debian binaries:
#
#   cfn-test/redis:1     redis-server + redis-cli            (tests/images/redis)
#   cfn-test/postgres:1  PostgreSQL 15 server, psql, pg_isready (tests/images/postgres)
#   cfn-test/app:1       busybox httpd on 8080 with /health   (tests/images/app)
#
#   scripts/build-test-images.sh [--force] [redis|postgres|app ...]
#
# There is no registry to pull from, so each image is a `FROM scratch` + `ADD rootfs.tar /`:
# the tarball holds static busybox (as /bin/sh and its applets), each binary the image needs,
# every library `ldd` lists for it, and the dynamic loader, laid out as on the host (merged /usr),
# and is made with `tar --numeric-owner`. The build runs with DOCKER_BUILDKIT=0 (the client has
# no buildx plugin). Packages come from Debian through scripts/ensure-packages.sh.
#
# Idempotent: an image whose tag exists and whose `dev.cfn.test-image.recipe` label matches the
# current recipe (this script plus tests/images/<name>/) is left alone, so a second run takes about
# a second; a changed recipe is rebuilt under the same tag, and --force rebuilds anyway. When an
# image's behaviour changes, also bump $version below (tests name the tag): worktrees on different
# recipes then keep different tags instead of rebuilding one tag back and forth.
# Prints one line per image with its size; on failure, the failing step and a non-zero exit.
set -euo pipefail

prog=build-test-images
version=1
prefix=cfn-test
all_images=(redis postgres app)
packages=(redis-server redis-tools busybox-static postgresql-15 util-linux)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
recipes=$root/tests/images
self=$here/$(basename "${BASH_SOURCE[0]}")

step="arguments"
tmp=
cleanup() {
    local rc=$?
    [ -z "$tmp" ] || rm -rf "$tmp"
    if [ "$rc" -ne 0 ]; then
        printf '%s: FAILED during: %s (exit %s)\n' "$prog" "$step" "$rc" >&2
    fi
}
trap cleanup EXIT
die() {
    printf '%s: %s\n' "$prog" "$*" >&2
    exit 1
}

force=0
wanted=()
for arg in "$@"; do
    case $arg in
        --force) force=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$self"
            exit 0
            ;;
        redis | postgres | app) wanted+=("$arg") ;;
        *) die "unknown argument: $arg (images: ${all_images[*]})" ;;
    esac
done
[ "${#wanted[@]}" -gt 0 ] || wanted=("${all_images[@]}")

step="packages (${packages[*]})"
"$here/ensure-packages.sh" "${packages[@]}"

step="docker engine"
command -v docker >/dev/null 2>&1 || die "docker CLI not found; run scripts/ensure-docker.sh"
docker info >/dev/null 2>&1 || die "no Docker Engine answers 'docker info'; run scripts/ensure-docker.sh"

# Parallel test runs may call this at once: build one at a time, and re-check under the lock.
step="lock"
exec 9>"${TMPDIR:-/tmp}/cfn-build-test-images.lock"
flock -w 600 9 || die "timed out waiting for another build-test-images run"

pg_bin=/usr/lib/postgresql/15/bin
pg_lib=/usr/lib/postgresql/15/lib
pg_share=/usr/share/postgresql/15

# --- root filesystem assembly ------------------------------------------------------------------

rootfs=
declare -A copied=()

# Copies host file $1 to $2 (default: the same path) in $rootfs, dereferencing symlinks.
put_file() {
    local src=$1 dest=${2:-$1}
    [ -e "$src" ] || die "missing on the host: $src"
    mkdir -p "$rootfs$(dirname "$dest")"
    rm -f "$rootfs$dest"
    cp -L --preserve=mode "$src" "$rootfs$dest"
}

# Prints the absolute paths of the libraries (and loader) `ldd` finds for $1; nothing if static.
libs_of() {
    local out
    if ! out=$(LC_ALL=C ldd "$1" 2>&1); then
        case $out in
            *"not a dynamic executable"*) return 0 ;;
            *) die "ldd $1 failed: $out" ;;
        esac
    fi
    if grep -q 'not found' <<<"$out"; then
        die "unresolved libraries for $1: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
    fi
    awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' <<<"$out"
}

# Copies binary or shared object $1 (to $2, default the same path) and every library it needs.
put_elf() {
    local src=$1 dest=${2:-$1} lib
    put_file "$src" "$dest"
    while IFS= read -r lib; do
        [ -n "${copied[$lib]:-}" ] && continue
        copied[$lib]=1
        put_file "$lib"
    done < <(libs_of "$src")
}

# Copies a whole host directory tree (symlinks inside it kept as they are).
put_tree() {
    [ -d "$1" ] || die "missing on the host: $1"
    mkdir -p "$rootfs$(dirname "$1")"
    cp -a "$1" "$rootfs$(dirname "$1")/"
}

# Static busybox and the skeleton every image shares: merged /usr, /tmp, passwd/group.
new_rootfs() {
    rootfs=$1
    copied=()
    mkdir -p "$rootfs"/{usr/bin,usr/sbin,usr/lib,usr/lib64,usr/local/bin,etc,tmp,root,run,var/tmp}
    mkdir -p "$rootfs"/{proc,sys,dev}
    ln -s usr/bin "$rootfs/bin"
    ln -s usr/sbin "$rootfs/sbin"
    ln -s usr/lib "$rootfs/lib"
    ln -s usr/lib64 "$rootfs/lib64"
    ln -s ../run "$rootfs/var/run"
    chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
    chmod 700 "$rootfs/root"
    local busybox
    busybox=$(command -v busybox) || die "busybox not found (package busybox-static)"
    libs_of "$busybox" | grep -q . && die "$busybox is not static: install busybox-static"
    put_file "$busybox" /usr/bin/busybox
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
        'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$rootfs/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
    printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
}

# Links every busybox applet not provided by a real binary; call after all other files are in.
add_applets() {
    local applet
    for applet in $("$rootfs/usr/bin/busybox" --list); do
        [ "$applet" = busybox ] && continue
        [ -e "$rootfs/usr/bin/$applet" ] || [ -L "$rootfs/usr/bin/$applet" ] ||
            ln -s busybox "$rootfs/usr/bin/$applet"
    done
}

rootfs_redis() {
    new_rootfs "$1"
    # /usr/bin/redis-server is a symlink to redis-check-rdb, which picks its role from argv[0]:
    # copied under the name redis-server it is the server.
    put_elf /usr/bin/redis-server
    put_elf /usr/bin/redis-cli
    put_file "$recipes/redis/docker-entrypoint.sh" /usr/local/bin/docker-entrypoint.sh
    mkdir -p "$rootfs/data"
    add_applets
}

rootfs_postgres() {
    new_rootfs "$1"
    local f
    for f in postgres initdb pg_ctl pg_isready psql; do
        put_elf "$pg_bin/$f"
    done
    ln -s postgres "$rootfs$pg_bin/postmaster"
    # Loadable modules (plpgsql, text search dictionaries, encoding conversions, ...) without
    # llvmjit.so, which would pull in all of LLVM; jit is off without it.
    for f in "$pg_lib"/*.so; do
        [ "$(basename "$f")" = llvmjit.so ] && continue
        put_elf "$f"
    done
    put_tree "$pg_share"
    # Built --with-system-tzdata: initdb and the server read time zones from here.
    put_tree /usr/share/zoneinfo
    put_elf /usr/bin/setpriv
    # initdb runs `locale -a` to import collations (else a warning); C.UTF-8 comes with libc-bin.
    put_elf /usr/bin/locale
    put_tree /usr/lib/locale/C.utf8
    put_file "$recipes/postgres/docker-entrypoint.sh" /usr/local/bin/docker-entrypoint.sh
    printf '%s\n' 'postgres:x:999:999:PostgreSQL administrator:/var/lib/postgresql:/bin/sh' \
        >>"$rootfs/etc/passwd"
    printf '%s\n' 'postgres:x:999:' >>"$rootfs/etc/group"
    mkdir -p "$rootfs/var/lib/postgresql/data" "$rootfs/run/postgresql"
    chmod 700 "$rootfs/var/lib/postgresql/data"
    chmod 2775 "$rootfs/run/postgresql"
    add_applets
}

rootfs_app() {
    new_rootfs "$1"
    put_file "$recipes/app/serve" /usr/local/bin/serve
    mkdir -p "$rootfs/var/www"
    cp "$recipes/app/www/"* "$rootfs/var/www/"
    add_applets
}

# Paths owned by uid/gid 999 instead of root, per image (tar sets owners; no chown, no root).
owned_999() {
    case $1 in
        postgres) printf '%s\n' ./var/lib/postgresql ./run/postgresql ;;
    esac
}

# Host package versions the image was assembled from, for the record (a label).
sources_of() {
    local pkgs
    case $1 in
        redis) pkgs=(redis-server redis-tools busybox-static) ;;
        postgres) pkgs=(postgresql-15 postgresql-client-15 busybox-static) ;;
        app) pkgs=(busybox-static) ;;
    esac
    dpkg-query -W -f='${Package}=${Version} ' "${pkgs[@]}" | sed 's/ $//'
}

recipe_hash() {
    {
        sha256sum "$self" | cut -d' ' -f1
        (cd "$recipes/$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    } | sha256sum | cut -c1-16
}

size_of() {
    docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.1f MB", $1 / 1e6 }'
}

# --- build -------------------------------------------------------------------------------------

# Builds $tag from scratch; run in the background, one per image. Records its current step in
# $tmp/$name.step for the report, and prints its result line to stdout.
build_one() {
    local name=$1 tag=$2 recipe=$3 old_id=$4 start=$SECONDS
    local ctx=$tmp/$name log=$tmp/$name.build.log path how=built
    trap - EXIT
    set_step() { printf '%s: %s\n' "$tag" "$1" >"$tmp/$name.step"; }
    set_step "root filesystem"
    "rootfs_$name" "$ctx/rootfs"
    set_step "rootfs.tar"
    local special=() excludes=()
    mapfile -t special < <(owned_999 "$name")
    for path in "${special[@]}"; do excludes+=("--exclude=$path"); done
    tar --numeric-owner --owner=0 --group=0 "${excludes[@]}" -C "$ctx/rootfs" -cf "$ctx/rootfs.tar" .
    if [ "${#special[@]}" -gt 0 ]; then
        tar --numeric-owner --owner=999 --group=999 -C "$ctx/rootfs" -rf "$ctx/rootfs.tar" "${special[@]}"
    fi
    rm -rf "$ctx/rootfs"
    # The labels go into the Dockerfile's own LABEL line: each instruction of the legacy builder
    # costs a container commit (~0.7 s here), and `docker build --label` would add one more.
    set_step "Dockerfile"
    grep -q '^LABEL dev.cfn.test-image=1$' "$recipes/$name/Dockerfile" ||
        die "$recipes/$name/Dockerfile lacks the line: LABEL dev.cfn.test-image=1"
    sed "s|^LABEL dev.cfn.test-image=1\$|LABEL dev.cfn.test-image=1 dev.cfn.test-image.recipe=$recipe dev.cfn.test-image.sources=\"$(sources_of "$name")\"|" \
        "$recipes/$name/Dockerfile" >"$ctx/Dockerfile"
    set_step "docker build"
    if ! DOCKER_BUILDKIT=0 docker build --force-rm -t "$tag" "$ctx" >"$log" 2>&1; then
        cat "$log" >&2
        die "docker build of $tag failed"
    fi
    rm -rf "$ctx"
    if [ -n "$old_id" ]; then
        how=rebuilt
        # The replaced image is now untagged; drop it unless a container still uses it.
        [ "$old_id" = "$(docker image inspect -f '{{.Id}}' "$tag")" ] ||
            docker image rm "$old_id" >/dev/null 2>&1 || true
    fi
    set_step "size"
    printf '%s: %-22s %s in %ss, %s\n' "$prog" "$tag" "$how" "$((SECONDS - start))" "$(size_of "$tag")"
}

tmp=$(mktemp -d -t cfn-test-images.XXXXXX)

declare -A pids=()
for name in "${wanted[@]}"; do
    tag=$prefix/$name:$version
    recipe=$(recipe_hash "$name")
    step="$tag: inspect"
    current=$(docker image inspect -f '{{index .Config.Labels "dev.cfn.test-image.recipe"}}' "$tag" \
        2>/dev/null || true)
    if [ "$force" -eq 0 ] && [ "$current" = "$recipe" ]; then
        printf '%s: %-22s up to date, %s\n' "$prog" "$tag" "$(size_of "$tag")" >"$tmp/$name.out"
        continue
    fi
    old_id=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
    build_one "$name" "$tag" "$recipe" "$old_id" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pids[$name]=$!
done

failed=()
for name in "${wanted[@]}"; do
    if [ -n "${pids[$name]:-}" ] && ! wait "${pids[$name]}"; then
        cat "$tmp/$name.err" >&2
        failed+=("$(cat "$tmp/$name.step" 2>/dev/null || echo "$name")")
        continue
    fi
    cat "$tmp/$name.out"
done
if [ "${#failed[@]}" -gt 0 ]; then
    step=$(IFS=';'; echo "${failed[*]}")
    exit 1
fi
step="done"
