#!/usr/bin/env bash
# Prepares a fresh Debian bookworm machine (as root) for cfn's test suite:
#   - packages: Redis and static busybox (the test images are built from the host's binaries),
#     PostgreSQL 15 server and client (present on the project's machines; checked, not assumed),
#     git, Compose v1, and Chromium with its WebDriver (the portal's browser test);
#   - schemathesis, pinned, in its own virtual environment (the portal's API fuzzing);
#   - a Docker Engine answering `docker info` (started in the background if needed);
#   - Compose v2 (`docker compose`) beside v1 (`docker-compose`);
#   - the test images (cfn-test/*), built offline from the host's binaries;
#   - a second Docker Engine at tcp://10.231.0.2:2375, in a network namespace, holding copies of
#     those images (scripts/second-engine.sh; the remote engine tests use it).
# Each step is idempotent; a second run takes about a second and touches no network.
# Prints one line per step; on failure, the failing step's own message and a non-zero exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
packages=(redis-server redis-tools busybox-static postgresql-15 postgresql-client-15 git docker-compose openssl
          chromium chromium-driver python3 python3-venv)

step() {
    local name=$1 start=$SECONDS
    shift
    if "$@"; then
        printf 'setup-test: %-10s ok (%ss)\n' "$name" "$((SECONDS - start))"
    else
        local rc=$?
        printf 'setup-test: %-10s FAILED (%ss)\n' "$name" "$((SECONDS - start))" >&2
        exit "$rc"
    fi
}

step packages "$here/ensure-packages.sh" "${packages[@]}"
step docker "$here/ensure-docker.sh"
step compose-v2 "$here/install-compose-v2.sh"
step images "$here/build-test-images.sh"
step engine2 "$here/second-engine.sh" up
step schemathesis "$here/install-schemathesis.sh"

printf 'setup-test: %-10s engine %s, compose v2 %s, compose v1 %s\n' versions \
    "$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')" \
    "$(docker compose version --short 2>/dev/null || echo '?')" \
    "$(docker-compose version --short 2>/dev/null || echo '?')"
