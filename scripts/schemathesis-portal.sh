#!/usr/bin/env bash
# Runs schemathesis (property-based API tests generated from the OpenAPI document) against a
# `cfn portal` serving a throw-away repository: every route is called with generated
# parameters and bodies, and every answer must match the document (status, content type, body
# schema) and never be a 500.
#
#   scripts/schemathesis-portal.sh [CFN_BINARY]      # default: target/debug/cfn
#
# schemathesis comes from the virtual environment scripts/setup-test.sh makes
# ($CFN_TEST_VENV, default ~/.cache/cfn-test/venv). Needs no Docker engine: routes that reach
# the engine answer 503 when it is away, which the document allows.
# Exits non-zero when schemathesis finds a failure; its report is on stdout.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cfn=${1:-$root/target/debug/cfn}
venv=${CFN_TEST_VENV:-$HOME/.cache/cfn-test/venv}
st=$venv/bin/st
[ -x "$cfn" ] || { echo "schemathesis-portal: no cfn binary at $cfn (cargo build)" >&2; exit 2; }
[ -x "$st" ] || { echo "schemathesis-portal: no schemathesis in $venv (scripts/setup-test.sh)" >&2; exit 2; }

work=$(mktemp -d)
portal_pid=
cleanup() {
    [ -z "$portal_pid" ] || kill "$portal_pid" 2>/dev/null || true
    [ -z "$portal_pid" ] || wait "$portal_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

export CFN_HOME=$work/cfn-home HOME=$work GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
repo=$work/stapp
mkdir -p "$repo"
git -C "$repo" init -q -b main
printf 'services:\n  app:\n    image: cfn-test/app:1\n' >"$repo/docker-compose.yml"
git -C "$repo" add -A
git -C "$repo" commit -qm init
(cd "$repo" && "$cfn" init --yes >/dev/null 2>&1)

(cd "$repo" && exec "$cfn" portal --port 0 >"$work/url" 2>"$work/portal.stderr" </dev/null) &
portal_pid=$!
for _ in $(seq 100); do
    [ -s "$work/url" ] && break
    sleep 0.1
done
url=$(head -n1 "$work/url")
[ -n "$url" ] || { echo "schemathesis-portal: the portal printed no URL:" >&2; cat "$work/portal.stderr" >&2; exit 1; }
base=${url%%/\?token=*}
token=${url##*token=}

# `up` is left out: generated bodies would start stacks for minutes; its body and statuses are
# covered by tests/cli/portal.rs.
# From the throw-away folder: schemathesis keeps a cache in the current directory.
cd "$work"
"$st" --config-file "$root/scripts/schemathesis-portal.toml" run "$base/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --exclude-path-regex '/up$' \
    --max-examples "${CFN_SCHEMATHESIS_EXAMPLES:-40}" \
    --generation-deterministic \
    --request-timeout 30 \
    --no-color
