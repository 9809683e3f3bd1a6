#!/usr/bin/env bash
# Installs schemathesis (the portal's API fuzzing, scripts/schemathesis-portal.sh) at a pinned
# version into its own virtual environment, $CFN_TEST_VENV (default ~/.cache/cfn-test/venv).
# Does nothing, and touches no network, when that version is already there.
set -euo pipefail

version=4.32.5
venv=${CFN_TEST_VENV:-$HOME/.cache/cfn-test/venv}

if [ -x "$venv/bin/st" ] && [ "$("$venv/bin/st" --version 2>/dev/null)" = "st, version $version" ]; then
    exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "install-schemathesis: python3 is needed" >&2; exit 1; }
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
