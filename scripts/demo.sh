#!/usr/bin/env bash
# cfn's main job on a sample repository: installs cfn, creates a repository with a compose file
# whose services would collide (fixed ports, container_name, global volume names), sets it up
# with `cfn init`, adds two branches and shows that each gets its own ports, env and compose
# configuration, then runs the agent loop with the example agents. Leaves the sample under ${CFN_DEMO_DIR:-/tmp/cfn-demo}.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

cargo install --quiet --locked --path "$here" --root "$HOME/.local"
cfn="$HOME/.local/bin/cfn"

demo=${CFN_DEMO_DIR:-/tmp/cfn-demo}
rm -rf "$demo"
mkdir -p "$demo/shop"
export CFN_HOME="$demo/state"
cd "$demo/shop"
git init -q -b main
cat > docker-compose.yml <<'YAML'
services:
  redis:
    image: redis:7
    container_name: shop-redis
    ports: ["6379:6379"]
    volumes: [redis-data:/data]
  postgres:
    image: postgres:15
    container_name: shop-postgres
    ports: ["${POSTGRES_PORT:-5432}:5432"]
  web:
    image: nginx
    ports: ["3001:80"]
volumes:
  redis-data:
    name: shop-redis-data
YAML
git add -A
git -c user.name=demo -c user.email=demo@example.invalid commit -q -m "sample shop"

run() { printf '\n$ %s\n' "$*"; "$@"; }
run "$cfn" init --yes
run "$cfn" worktree add feature-auth
run "$cfn" worktree add fix/Payment_Bug
run "$cfn" worktree list
run "$cfn" ports feature-auth
run "$cfn" env fix/Payment_Bug
if "$cfn" compose --branch feature-auth version >/dev/null 2>&1; then
    run "$cfn" compose --branch feature-auth config
fi
# A loop run on the feature branch with the example agents (embedded bus: no stack is running).
cat >> cfn.toml <<TOML

[loop]
mode = "mvp"
implementers = ["impl-1", "impl-2"]
validators = ["validator"]
product_owner = "po"

[agents.impl-1]
role = "implementer"
command = ["python3", "$here/examples/agents/implementer.py"]

[agents.impl-2]
role = "implementer"
command = ["python3", "$here/examples/agents/implementer.py"]

[agents.validator]
role = "validator"
command = ["python3", "$here/examples/agents/validator.py"]

[agents.po]
role = "product-owner"
command = ["python3", "$here/examples/agents/product_owner.py"]
TOML
export CFN_BIN="$cfn"
cd "$demo/shop-feature-auth"
run "$cfn" loop run --epic "Add OAuth login" --task-id demo-oauth
run "$cfn" loop status demo-oauth

printf '\nThe sample repository is in %s; its state in %s.\n' "$demo/shop" "$CFN_HOME"
