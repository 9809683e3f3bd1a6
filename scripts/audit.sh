#!/usr/bin/env bash
# Checks cfn's dependency tree against deny.toml with cargo-deny:
#   - bans, licenses, sources: always (they need only Cargo.lock and the crates.io index);
#   - advisories (RustSec database, and yanked crates): from the clone that CFN_ADVISORY_DB names
#     if set, else fetched by cargo-deny when the database answers, else reported as not checked.
# cargo-deny itself is built once per clone from crates.io (pinned, --locked) into target/tools.
# Exits non-zero on any finding; docs/security.md ("Dependencies") says how to read and fix one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

prog=audit
deny_version=0.20.2
tools=target/tools
deny=$tools/bin/cargo-deny
# A clone not updated for longer still checks, but misses what was published since, so the run
# says so loudly (cargo-deny's own default limit, where it refuses such a database).
max_db_age_days=90

say() { printf '%s: %s\n' "$prog" "$*"; }
die() { printf 'error: %s\nhint: %s\n' "$1" "$2" >&2; exit 2; }

ensure_cargo_deny() {
    [ "$("$deny" --version 2>/dev/null || true)" = "cargo-deny $deny_version" ] && return 0
    say "building cargo-deny $deny_version into $tools (once per clone: about 200 s of CPU time, a few minutes)"
    local start=$SECONDS
    cargo install --quiet --locked --root "$tools" --version "$deny_version" cargo-deny
    say "cargo-deny built in $((SECONDS - start))s"
}

# The database address deny.toml names, which a local clone stands in for.
configured_db_url() {
    sed -n 's/^db-urls = \["\([^"]*\)"\]$/\1/p' deny.toml
}

# Checks advisories with the database cargo-deny fetches from `db_url`, read from `local` instead
# when given: git's url.<local>.insteadOf makes cargo-deny's own fetch read the clone, so the
# check runs exactly as it does online.
check_advisories() {
    local db_url=$1 local=${2:-}
    if [ -z "$local" ]; then
        "$deny" --locked check --hide-inclusion-graph advisories
        return
    fi
    # GIT_CONFIG_COUNT comes from the caller's environment: only a plain number is used in
    # arithmetic (bash evaluates `a[$(cmd)]` there), anything else starts the count afresh.
    local n=${GIT_CONFIG_COUNT:-0}
    [[ $n =~ ^[0-9]+$ ]] || n=0
    env GIT_CONFIG_COUNT=$((n + 1)) "GIT_CONFIG_KEY_$n=url.$local.insteadOf" "GIT_CONFIG_VALUE_$n=$db_url" \
        "$deny" --locked check --hide-inclusion-graph advisories
}

# The absolute path of the clone CFN_ADVISORY_DB names, after checking that it is one.
local_db() {
    local dir=$1
    [ -d "$dir" ] || die "CFN_ADVISORY_DB=$dir is not a directory" \
        "set it to a git clone of the RustSec advisory database, or unset it"
    dir=$(cd "$dir" && pwd -P)
    # The clone's own top level (not a folder inside some other repository), on a main branch.
    if [ "$(git -C "$dir" rev-parse --show-toplevel 2>/dev/null)" != "$dir" ] ||
        ! git -C "$dir" rev-parse --verify --quiet refs/heads/main >/dev/null || [ ! -d "$dir/crates" ]; then
        die "CFN_ADVISORY_DB=$dir is not a clone of the RustSec advisory database (no git checkout with a main branch and a crates/ folder)" \
            "clone the database there, or point CFN_ADVISORY_DB at an existing clone"
    fi
    local committed age
    committed=$(git -C "$dir" log -1 --format=%ct refs/heads/main)
    age=$((($(date +%s) - committed) / 86400))
    if [ "$age" -gt "$max_db_age_days" ]; then
        say "WARNING: advisory database $dir was last updated $age days ago; advisories published since are missed (git -C $dir pull)" >&2
    fi
    printf '%s\n' "$dir"
}

# Whether the database answers at `url`, within a time that keeps an offline run quick.
reachable() {
    GIT_TERMINAL_PROMPT=0 timeout 20 git ls-remote --quiet -- "$1" HEAD >/dev/null 2>&1
}

# A wrong CFN_ADVISORY_DB stops the run before anything is built or checked.
db_url=$(configured_db_url)
[ -n "$db_url" ] || die "deny.toml names no advisory database" \
    "keep its line db-urls = [\"<address>\"] under [advisories]"
db=
[ -z "${CFN_ADVISORY_DB:-}" ] || db=$(local_db "$CFN_ADVISORY_DB")

ensure_cargo_deny

start=$SECONDS
"$deny" --locked check --hide-inclusion-graph bans licenses sources

if [ -n "$db" ]; then
    say "advisories: checking against $db"
    check_advisories "$db_url" "$db"
elif reachable "$db_url"; then
    check_advisories "$db_url"
else
    echo "advisories: not checked — the RustSec database is unreachable from this machine (set CFN_ADVISORY_DB=<path to a clone>)"
fi
say "dependency checks done in $((SECONDS - start))s"
