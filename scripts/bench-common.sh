# shellcheck shell=bash
# Sourced by the benchmark scripts: section headings, failing with a message, and the
# description of the machine every result is recorded with. Set `bench_name` before sourcing.

say() { printf '\n== %s\n' "$*"; }
die() { printf '%s: %s\n' "${bench_name:-bench}" "$*" >&2; exit 1; }

# The lines common to every benchmark's machine section (each script adds its own tools).
machine_info() {
    printf 'cpus:      %s (%s)\n' "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
    printf 'memory:    %s MiB\n' "$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)"
    printf 'kernel:    %s\n' "$(uname -r)"
    printf 'os:        %s\n' "$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release | tr -d '"')"
    printf 'rustc:     %s\n' "$(rustc --version)"
}

# Sets `cfn` to the binary to measure: CFN_BENCH_BIN when given, else the release build of this
# checkout (built first). Expects `here` (the repository root).
release_cfn() {
    if [ -n "${CFN_BENCH_BIN:-}" ]; then
        cfn=$CFN_BENCH_BIN
    else
        say "build (release binary)"
        cargo build --release --locked --quiet
        cfn="${CARGO_TARGET_DIR:-$here/target}/release/cfn"
    fi
    [ -x "$cfn" ] || die "no cfn binary at $cfn"
}
