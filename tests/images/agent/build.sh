#!/usr/bin/env bash
# Builds a test image holding a given cfn binary, the libraries it links and a static busybox
# shell, so a container agent can run `cfn agent report`. No registry needed.
# Usage: build.sh <cfn-binary> <tag>
set -euo pipefail
bin=$1 tag=$2
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "build.sh: busybox-static is needed (scripts/setup-test.sh installs it)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/bin" "$root/usr/local/bin" "$root/tmp"
cp "$bin" "$root/usr/local/bin/cfn"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat echo mkdir touch; do ln -s busybox "$root/bin/$applet"; done
# The binary's shared libraries and the dynamic loader, at the same paths.
for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
chmod 1777 "$root/tmp"
tar --numeric-owner -C "$root" -cf "$work/rootfs.tar" .
printf 'FROM scratch\nADD rootfs.tar /\nENV PATH=/usr/local/bin:/bin\nLABEL dev.cfn.test-image=1\n' > "$work/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$work" >/dev/null
