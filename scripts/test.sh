#!/usr/bin/env bash
# Sets up what cfn's tests need on a fresh machine of this kind, then checks formatting, lints
# and dependencies (scripts/audit.sh) and runs the whole test suite. This is the command
# README.md gives and CI runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup-test.sh
# A merge's leftover conflict markers in any tracked file fail the run before anything else.
if git grep -nIE '^(<{7}|>{7}) ' -- . ; then
    echo "error: conflict markers above; resolve them" >&2
    exit 1
fi
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
# Dependencies: licenses, sources, duplicate versions, and RustSec advisories when reachable.
bash scripts/audit.sh
# Snapshots are compared, never written or skipped: a missing or changed one fails the run
# (docs/testing.md says how to update them on purpose).
export INSTA_UPDATE=no
unset INSTA_FORCE_PASS INSTA_FORCE_UPDATE
# Benches are built by clippy above; they run from scripts/bench*.sh, not here.
cargo test --locked --lib --bins --tests -- --test-threads="${CFN_TEST_THREADS:-4}"
# rediss:// (TLS) is behind a cargo feature: its test runs against a TLS redis-server it sets up.
cargo test --locked --features tls --lib bus::tests::tls
