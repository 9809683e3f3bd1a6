#!/usr/bin/env bash
# Requests through `cfn proxy` against the same requests straight to the branch's port, with 1
# and with 50 concurrent keep-alive clients, side by side (docs/benchmarks.md records the result).
#
#   bash scripts/bench-proxy.sh
#
# A one-file repository, a private CFN_HOME and two worktrees whose leased ports are served by
# benches/proxy_upstream.rs (a keep-alive hyper server with a 22-byte body): `feat` answers at
# once, so the numbers are the proxy's own cost; `slow` answers after 1 ms, as a development
# server's handler would. Each is requested straight, through `cfn proxy` (HTTP, then HTTPS with
# `--tls`), and through nginx set up as a keep-alive reverse proxy (the reference: what a
# mature proxy costs on the same hop). `wrk --latency` drives them one after the other, on this
# machine's loopback only. Knobs: CFN_BENCH_DURATION (seconds per run, default 10),
# CFN_BENCH_CONNECTIONS (default "1 50"), CFN_BENCH_BIN and CFN_BENCH_UPSTREAM_BIN (binaries
# already built, instead of building them).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

duration=${CFN_BENCH_DURATION:-10}
connections=${CFN_BENCH_CONNECTIONS:-1 50}

bench_name=bench-proxy
# shellcheck source=scripts/bench-common.sh
. "$here/scripts/bench-common.sh"

bash scripts/ensure-packages.sh wrk nginx-light

release_cfn
if [ -n "${CFN_BENCH_UPSTREAM_BIN:-}" ]; then
    upstream_bin=$CFN_BENCH_UPSTREAM_BIN
else
    say "build (upstream server)"
    cargo bench --locked --bench proxy_upstream --no-run --quiet 2>/dev/null || cargo bench --locked --bench proxy_upstream --no-run
    upstream_bin=$(cargo bench --locked --bench proxy_upstream --no-run --message-format=json 2>/dev/null \
        | jq -r 'select(.executable != null and .target.name == "proxy_upstream") | .executable' | tail -n1)
fi
[ -x "$upstream_bin" ] || die "no upstream binary"

say "machine"
machine_info
printf 'wrk:       %s\n' "$(wrk --version 2>&1 | head -n1)"
printf 'load:      %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

work=$(mktemp -d "${TMPDIR:-/tmp}/cfn-bench-proxy.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE XDG_CONFIG_HOME CFN_COMPOSE
mkdir -p "$work/home"
export HOME="$work/home" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
export CFN_HOME="$work/state"

repo="$work/benchproxy"
mkdir -p "$repo"
cd "$repo"
git init -q -b main
cat >docker-compose.yml <<'YAML'
services:
  web:
    image: cfn-test/app:1
    ports: ["8080:8080"]
YAML
git add -A
git commit -q -m "one compose file"
"$cfn" init --yes >/dev/null 2>&1
"$cfn" worktree add feat >/dev/null 2>&1
"$cfn" worktree add slow >/dev/null 2>&1
port=$("$cfn" ports feat --json | jq -r '.ports.web')
slow_port=$("$cfn" ports slow --json | jq -r '.ports.web')
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
proxy_port=$(free_port)
nginx_port=$(free_port)
host=$("$cfn" url web -b feat | sed -e 's|^http://||' -e 's|:[0-9]*$||')
slow_host=$("$cfn" url web -b slow | sed -e 's|^http://||' -e 's|:[0-9]*$||')

"$upstream_bin" "$port" 2>/dev/null &
pids+=($!)
"$upstream_bin" "$slow_port" --delay-ms 1 2>/dev/null &
pids+=($!)
"$cfn" proxy --port "$proxy_port" --tls 2>/dev/null &
pids+=($!)

# nginx as the reference reverse proxy: both upstreams, kept-alive connections to them, one
# worker per core, no logging (the proxy logs nothing per request either).
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    upstream feat { server 127.0.0.1:$port; keepalive 64; }
    upstream slow { server 127.0.0.1:$slow_port; keepalive 64; }
    map \$host \$branch { $slow_host slow; default feat; }
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            proxy_pass http://\$branch;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_buffering off;
        }
    }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log"
pids+=("$(cat "$work/nginx/nginx.pid" 2>/dev/null || true)")

for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/" && curl -sf -o /dev/null -H "Host: $host" "http://127.0.0.1:$proxy_port/" && break
    sleep 0.1
done
curl -sf -H "Host: $host" "http://127.0.0.1:$proxy_port/" >/dev/null || die "the proxy does not answer for $host"
curl -sfk -H "Host: $host" "https://127.0.0.1:$proxy_port/" >/dev/null || die "the proxy does not answer HTTPS for $host"
curl -sf -H "Host: $slow_host" "http://127.0.0.1:$nginx_port/" >/dev/null || die "nginx does not answer for $slow_host"

# run URL CONNECTIONS [HEADER]: one wrk run; prints "req/s p50 p99" (latencies in µs).
run() {
    local out
    out=$(wrk --latency -t1 -c"$2" -d"${duration}s" ${3:+-H "$3"} "$1")
    printf '%s\n' "$out" >&2
    local rps p50 p99
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    printf '%s %s %s\n' "$rps" "$(to_us "$p50")" "$(to_us "$p99")"
}
# wrk prints 123.45us, 1.23ms or 1.05s.
to_us() {
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else print n * 1000000 }'
}
ratio() { awk -v p="$1" -v d="$2" 'BEGIN { printf "%.2f", p / d }'; }

rows=()
for upstream in feat slow; do
    if [ "$upstream" = feat ]; then up_port=$port up_host=$host; else up_port=$slow_port up_host=$slow_host; fi
    for c in $connections; do
        say "$upstream, $c connection(s), ${duration}s each: direct, cfn proxy (HTTP, HTTPS), nginx"
        read -r d_rps d_p50 d_p99 < <(run "http://127.0.0.1:$up_port/" "$c")
        read -r p_rps p_p50 p_p99 < <(run "http://127.0.0.1:$proxy_port/" "$c" "Host: $up_host")
        read -r s_rps s_p50 s_p99 < <(run "https://127.0.0.1:$proxy_port/" "$c" "Host: $up_host")
        read -r n_rps n_p50 n_p99 < <(run "http://127.0.0.1:$nginx_port/" "$c" "Host: $up_host")
        for row in "direct $d_rps $d_p50 $d_p99" "cfn $p_rps $p_p50 $p_p99" "cfn-https $s_rps $s_p50 $s_p99" "nginx $n_rps $n_p50 $n_p99"; do
            read -r name rps p50 p99 <<<"$row"
            rows+=("| $upstream | $c | $name | $rps | $p50 | $(ratio "$p50" "$d_p50")× | $p99 |")
        done
    done
done

say "results (keep-alive; latencies in µs; ratio = p50 / direct p50 of the same upstream and clients)"
printf '| upstream | clients | path | req/s | p50 | ratio | p99 |\n'
printf '|---|---|---|---|---|---|---|\n'
printf '%s\n' "${rows[@]}"
