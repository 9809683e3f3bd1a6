#!/usr/bin/env bash
# cfn's main job, end to end, on a sample repository:
#
#   1. installs what it needs through the project's own scripts (packages, a Docker engine,
#      Compose v2) and cfn itself into ~/.local/bin;
#   2. provides the sample's images: `redis:7-alpine` and `postgres:15-alpine` are pulled where a
#      registry answers; where none does they are built offline from this host's Redis and
#      PostgreSQL 15 (scripts/build-test-images.sh) and tagged with those names — it says which;
#   3. creates a repository whose compose file would collide between branches (fixed host ports,
#      container_name, a global volume name), with a PostgreSQL migration, and runs `cfn init`;
#   4. adds two branches and runs `cfn up` on both: real containers, migrations applied to each
#      branch's own PostgreSQL, health checks green; `cfn status` shows both stacks;
#   5. runs the agent loop on one branch against that branch's stack Redis: the example
#      implementer adds a migration and applies it to the branch's database; a check of the loop
#      runs `cfn health` against the branch's live stack, the gate requires it, and the
#      validator's confidence is the checks' passed/total; then shows that the other branch's
#      database did not change;
#   6. `cfn down --volumes` on both.
#
#   bash scripts/demo.sh
#
# Prints the time of each step and a summary. Whatever happens — success, a failing step,
# Ctrl-C — the demo's containers, volumes and networks are removed on exit, and the image tags
# it created are removed again unless another demo run still uses them. The sample repository
# stays under $CFN_DEMO_DIR (default /tmp/cfn-demo) to look at.
#
# Knobs (environment): CFN_DEMO_DIR (where the sample goes; emptied first), CFN_DEMO_NAME (the
# sample repository's folder name, hence its compose project names; default demo-shop),
# CFN_DEMO_BIN (a cfn binary to use instead of installing one), CFN_COMPOSE (the compose
# program, as for cfn).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

demo=${CFN_DEMO_DIR:-/tmp/cfn-demo}
name=${CFN_DEMO_NAME:-demo-shop}
branches=(feature-auth fix/payment)
repo=$demo/$name
projects_file=$demo/projects
images_lock=${TMPDIR:-/tmp}/cfn-demo-images.lock

# --- timing ------------------------------------------------------------------------------------

step_titles=()
step_times=()
demo_start=${EPOCHREALTIME/./}
step_start=

# Microseconds since $1 (an EPOCHREALTIME without its dot), as seconds with one decimal.
since() {
    local us=$((${EPOCHREALTIME/./} - $1))
    printf '%d.%d' $((us / 1000000)) $((us % 1000000 / 100000))
}

# step TITLE: starts a timed step (and ends the previous one).
step() {
    end_step
    step_titles+=("$1")
    step_start=${EPOCHREALTIME/./}
    printf '\n== %s\n' "$1"
}

end_step() {
    [ -n "$step_start" ] || return 0
    local took
    took=$(since "$step_start")
    step_times+=("$took")
    step_start=
    printf '   (%s s)\n' "$took"
}

# run COMMAND...: shows the command (cfn's own path as `cfn`, arguments with spaces quoted),
# then runs it.
run() {
    local arg shown=()
    for arg in "$@"; do
        if [ "$arg" = "${cfn:-}" ]; then
            shown+=(cfn)
        elif [[ $arg =~ [^A-Za-z0-9_./=:@+-] ]]; then
            shown+=("'$arg'")
        else
            shown+=("$arg")
        fi
    done
    printf '$ %s\n' "${shown[*]}"
    "$@"
}

# --- clean-up ----------------------------------------------------------------------------------

offline_tags=()

# Removes every container, volume and network of the compose projects listed in $projects_file
# (exact names, written as the branches are added): nothing of another project is touched.
remove_projects() {
    [ -f "$projects_file" ] || return 0
    local project label ids
    while IFS= read -r project; do
        [ -n "$project" ] || continue
        label=com.docker.compose.project=$project
        ids=$(docker ps -aq --filter "label=$label")
        [ -z "$ids" ] || docker rm -f -v $ids >/dev/null
        ids=$(docker volume ls -q --filter "label=$label")
        [ -z "$ids" ] || docker volume rm -f $ids >/dev/null
        ids=$(docker network ls -q --filter "label=$label")
        [ -z "$ids" ] || docker network rm $ids >/dev/null
    done <"$projects_file"
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    end_step
    if [ -f "$projects_file" ] && command -v docker >/dev/null 2>&1; then
        local left
        left=$(while IFS= read -r p; do docker ps -aq --filter "label=com.docker.compose.project=$p"; \
            docker volume ls -q --filter "label=com.docker.compose.project=$p"; done <"$projects_file" | wc -l)
        if [ "$left" -gt 0 ]; then
            printf '\n== clean-up: removing the demo stacks (%s containers and volumes left)\n' "$left"
            for b in "${branches[@]}"; do
                [ -n "${cfn:-}" ] && [ -d "$repo" ] &&
                    "$cfn" -q -C "$repo" down --branch "$b" --volumes --yes >/dev/null 2>&1
            done
            remove_projects
        fi
    fi
    # The offline tags go again unless another demo holds the lock (it still needs them).
    if [ "${#offline_tags[@]}" -gt 0 ]; then
        flock -u 8
        if flock -n -x 8; then
            docker image rm "${offline_tags[@]}" >/dev/null 2>&1
        fi
    fi
    if [ "$rc" -ne 0 ]; then
        local during=set-up
        [ "${#step_titles[@]}" -eq 0 ] || during=${step_titles[-1]}
        printf '\ndemo: FAILED (exit %s) during: %s\n' "$rc" "$during" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
# A closed terminal or pipe (SIGHUP, SIGPIPE) would end bash without its EXIT trap.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# --- 1. tools ----------------------------------------------------------------------------------

step "install: packages, Docker engine, Compose v2, cfn"
run bash "$here/scripts/ensure-packages.sh" git python3 util-linux
run bash "$here/scripts/ensure-docker.sh"
run bash "$here/scripts/install-compose-v2.sh"
if [ -n "${CFN_DEMO_BIN:-}" ]; then
    cfn=$CFN_DEMO_BIN
else
    run cargo install --quiet --locked --path "$here" --root "$HOME/.local"
    cfn="$HOME/.local/bin/cfn"
fi
[ -x "$cfn" ] || { echo "demo: no cfn binary at $cfn" >&2; exit 1; }
"$cfn" --version

# A run killed before its clean-up (SIGKILL) left its stacks: remove them first.
remove_projects
rm -rf "$demo"
mkdir -p "$demo"
export CFN_HOME="$demo/state" CFN_BIN="$cfn"

# --- 2. images ---------------------------------------------------------------------------------

step "images: pull, or build offline"
# Held (shared) while the demo runs: the last run to finish removes the offline tags.
exec 8>"$images_lock"
flock -s 8
# provide IMAGE OFFLINE_RECIPE: pulls IMAGE; where no registry answers, builds the offline image
# from the host's binaries and tags it IMAGE.
provide() {
    local image=$1 recipe=$2 offline=cfn-test/$2:1 why
    if why=$(docker pull -q "$image" 2>&1); then
        printf '%-20s pulled from the registry\n' "$image"
        return
    fi
    local label
    label=$(docker image inspect -f '{{index .Config.Labels "dev.cfn.test-image"}}' "$image" 2>/dev/null || true)
    if docker image inspect "$image" >/dev/null 2>&1 && [ "$label" != 1 ]; then
        printf '%-20s no registry answered; using the copy this engine already has\n' "$image"
        return
    fi
    bash "$here/scripts/build-test-images.sh" "$recipe" | sed 's/^/    /'
    docker tag "$offline" "$image"
    offline_tags+=("$image")
    why=$(tail -n1 <<<"$why")
    printf '%-20s no registry answered (docker pull: %s):\n%-20s built offline from this host'\''s binaries as %s, tagged %s\n' \
        "$image" "${why##*: }" "" "$offline" "$image"
}
provide redis:7-alpine redis
provide postgres:15-alpine postgres

# --- 3. the sample repository ------------------------------------------------------------------

step "sample repository and cfn init"
mkdir -p "$repo/migrations"
cd "$repo"
git init -q -b main
# Fixed host ports, container_name and a global volume name: two branches of this file collide.
cat >docker-compose.yml <<'YAML'
services:
  redis:
    image: redis:7-alpine
    container_name: shop-redis
    ports: ["6379:6379"]
    volumes: [redis-data:/data]
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 1s
      retries: 30
  postgres:
    image: postgres:15-alpine
    container_name: shop-postgres
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
      POSTGRES_DB: shop
    ports: ["5432:5432"]
    volumes: [pg-data:/var/lib/postgresql/data]
    healthcheck:
      test: ["CMD", "pg_isready", "-q", "-h", "127.0.0.1", "-U", "postgres"]
      interval: 1s
      retries: 60
volumes:
  redis-data:
    name: shop-redis-data
  pg-data:
YAML
cat >migrations/0001_orders.up.sql <<'SQL'
CREATE TABLE orders (id INTEGER PRIMARY KEY, total_cents INTEGER NOT NULL);
SQL
printf 'DROP TABLE orders;\n' >migrations/0001_orders.down.sql
# The password stays out of git: .env is ignored, and .worktreeinclude has cfn copy it into
# every new worktree.
printf '.env\n' >.gitignore
printf '.env\n' >.worktreeinclude
printf 'POSTGRES_PASSWORD=demo-%s\n' "$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" >.env
chmod 600 .env
run "$cfn" init --yes
# Each branch's PostgreSQL gets the migrations; the health checks are templated per branch.
cat >>cfn.toml <<TOML

[migrations]
target = "postgres"
url = "postgresql://postgres:{{ env.POSTGRES_PASSWORD }}@127.0.0.1:{{ ports.postgres }}/shop"

[health.cache]
type = "redis"
url = "redis://127.0.0.1:{{ ports.redis }}"

[health.db]
type = "postgres"
url = "postgresql://postgres:{{ env.POSTGRES_PASSWORD }}@127.0.0.1:{{ ports.postgres }}/shop"

[loop]
mode = "mvp"
implementers = ["schema", "notes"]
validators = ["health"]
product_owner = "po"
gate_requires = ["health"]

# Validation by evidence: after the implementers, cfn runs this in the branch, against its stack.
[loop.checks.health]
command = ["$cfn", "health"]
timeout = 60

[agents.schema]
role = "implementer"
command = ["python3", "$here/examples/agents/implementer.py", "--migration"]
env = ["CFN_BIN"]

[agents.notes]
role = "implementer"
command = ["python3", "$here/examples/agents/implementer.py"]
env = ["CFN_BIN"]

[agents.health]
role = "validator"
command = ["python3", "$here/examples/agents/validator.py"]
env = ["CFN_BIN"]
confidence = "checks"

[agents.po]
role = "product-owner"
command = ["python3", "$here/examples/agents/product_owner.py"]
env = ["CFN_BIN"]
TOML
git add -A
git -c user.name=demo -c user.email=demo@example.invalid commit -q -m "sample shop"

# --- 4. two branches, two stacks ---------------------------------------------------------------

step "two branches"
: >"$projects_file"
for b in "${branches[@]}"; do
    run "$cfn" worktree add "$b"
    "$cfn" worktree list --json | python3 -c '
import json, sys
for w in json.load(sys.stdin):
    if w["branch"] == sys.argv[1]:
        print(w["project"])' "$b" >>"$projects_file"
done
run "$cfn" worktree list

# cfn runs nothing the repository asks for (migrations, health commands, hooks, agents, checks) until
# the user trusts it: each item is listed with what it runs and its files' hashes.
step "cfn trust: review and approve what the repository runs"
for b in "${branches[@]}"; do
    run "$cfn" trust --branch "$b" --yes
done

for b in "${branches[@]}"; do
    step "cfn up $b"
    run "$cfn" up --branch "$b" --timeout 120
done

step "cfn status: both stacks side by side"
run "$cfn" status

# --- 5. the loop on one branch, against its own stack Redis ------------------------------------

wt=$("$cfn" worktree list --json | python3 -c '
import json, sys
print(next(w["path"] for w in json.load(sys.stdin) if w["branch"] == sys.argv[1]))' "${branches[0]}")
step "cfn loop run on ${branches[0]} (its stack's Redis)"
cd "$wt"
run "$cfn" -v loop run --epic "Add OAuth login" --task-id demo-oauth
printf 'what the agents changed in the worktree:\n'
git status --short --untracked-files=all -- migrations | sed 's/^/  /'

step "each branch's own database"
for b in "${branches[@]}"; do
    run "$cfn" migrate status --branch "$b"
done
cd "$repo"

# --- 6. down -----------------------------------------------------------------------------------

for b in "${branches[@]}"; do
    step "cfn down $b"
    run "$cfn" down --branch "$b" --volumes --yes
done
end_step

printf '\n== times\n'
for i in "${!step_titles[@]}"; do
    printf '%7s s  %s\n' "${step_times[$i]}" "${step_titles[$i]}"
done
printf '%7s s  total\n' "$(since "$demo_start")"
printf '\nThe sample repository is in %s; its cfn state in %s.\n' "$repo" "$CFN_HOME"
