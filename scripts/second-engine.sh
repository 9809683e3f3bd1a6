#!/usr/bin/env bash
# A second Docker Engine on this machine, for the tests of cfn's remote engines (`tcp://`):
# a dockerd of its own inside the network namespace cfn-engine2, reached from the host over a
# veth pair (host side 10.231.0.1/24, cfn-e2h; namespace side 10.231.0.2/24, cfn-e2n) at
#   tcp://10.231.0.2:2375  plain TCP
#   tcp://10.231.0.2:2376  TLS, client certificate required (--tlsverify): a client's files are
#                          in /run/cfn-engine2/tls/client/{ca,cert,key}.pem (DOCKER_CERT_PATH)
# Its ports are published on 10.231.0.2, as a remote machine's would be on its own address;
# nothing of it listens on the host's addresses.
#
#   scripts/second-engine.sh up       make it all (idempotent; about a second when it is there)
#   scripts/second-engine.sh status   say what is there; exit 0 only when both ports answer
#   scripts/second-engine.sh check    run a container publishing a port, reach it from the host;
#                                     see it over TLS, and the TLS port refuse a client without
#                                     a certificate
#   scripts/second-engine.sh down     stop the engine, remove the namespace and the veth pair
#
# Why a namespace: a second dockerd in the host's namespace would share its addresses and port
# space with the first one, so "another machine" could not be told from "this machine". In its
# own namespace it has an address of its own, and published ports land there.
# Why two ports and socat: dockerd's TLS settings apply to every TCP address it listens on, so one
# dockerd cannot answer plain TCP and TLS. dockerd itself serves the TLS port (what a real remote
# engine does: Go's TLS, `--tlsverify`) and its unix socket; the plain port is socat in the
# namespace relaying each connection to that socket, byte for byte.
# TLS material: a CA, a server certificate for the engine's IP address (subjectAltName) and a
# client certificate, P-256 keys, made with openssl when missing, not matching the address or
# expiring within a day (the CA's key is not kept: nothing else is ever signed with it). New
# material restarts dockerd, as does a dockerd started without TLS by an older `up`.
# It is entered with `nsenter --net`, never `ip netns exec`: the latter also remounts /sys in a
# new mount namespace, where dockerd finds no cgroups.
#
# `up` also copies the test images (cfn-test/*, scripts/build-test-images.sh) from the main engine
# into this one, only those whose image ID differs, and recovers from what a killed run leaves
# (a dead dockerd's pid files, its containerd, shims and mounts; a namespace without dockerd).
# State: /run/cfn-engine2 (sockets, pid files, exec root) and /var/lib/cfn-test-engine2 (data
# root and dockerd.log; `down` leaves them, so the next `up` needs no image copy).
# CFN_ENGINE2_ADDR overrides the namespace's address (default 10.231.0.2; the host side takes .1
# of the same /24); the tests use the default. Needs root.
set -euo pipefail

prog=second-engine
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }
say() { printf '%s: %s\n' "$prog" "$*"; }
self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

ns=cfn-engine2
ns_path=/var/run/netns/$ns
veth_host=cfn-e2h
veth_ns=cfn-e2n
addr=${CFN_ENGINE2_ADDR:-10.231.0.2}
host_addr=${addr%.*}.1
port=2375
engine=tcp://$addr:$port
tls_port=2376
tls_engine=tcp://$addr:$tls_port
run_dir=/run/cfn-engine2
tls_dir=$run_dir/tls
client_dir=$tls_dir/client
exec_root=$run_dir/exec
pidfile=$run_dir/dockerd.pid
socket=$run_dir/docker.sock
config=$run_dir/daemon.json
state_dir=/var/lib/cfn-test-engine2
data_root=$state_dir/data
log=$state_dir/dockerd.log
# dockerd answers within 2 s here; a loaded machine gets much longer, but not forever.
wait_limit=60
check_port=18080
check_name=cfn-engine2-check
log_from=0

# The docker CLI without the caller's TLS variables (a test may set them for cfn): they would make
# it speak TLS to the plain port, or name other files than this engine's client's.
clean_env=(env -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH -u DOCKER_TLS -u DOCKER_CONTEXT)
tls_flags=(--tlsverify --tlscacert "$client_dir/ca.pem" --tlscert "$client_dir/cert.pem"
           --tlskey "$client_dir/key.pem")
remote() { "${clean_env[@]}" docker -H "$engine" "$@"; }
remote_tls() { "${clean_env[@]}" docker "${tls_flags[@]}" -H "$tls_engine" "$@"; }
in_ns() { nsenter --net="$ns_path" "$@"; }
# Without the veth the engine's address goes to the default route, where a connection may hang,
# or reach a gateway that answers any HTTP request (some sandboxes' egress proxy answers 404):
# no need to ask then, nor to wait long ever. Plain `docker info`, as with `--format` the CLI
# exits 0 even when the server's answer is an error.
engine_answers() {
    [ -e "/sys/class/net/$veth_host" ] && timeout 20 "${clean_env[@]}" docker -H "$engine" info >/dev/null 2>&1
}
tls_answers() {
    [ -e "/sys/class/net/$veth_host" ] && [ -f "$client_dir/key.pem" ] &&
        timeout 20 "${clean_env[@]}" docker "${tls_flags[@]}" -H "$tls_engine" info >/dev/null 2>&1
}

# --- processes ---------------------------------------------------------------------------------

# Whether pid $1 is a live process (a zombie is not: pid 1 of a sandbox may never reap it, and
# its /proc entry would pass for the process).
alive() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# Whether pid $1's command line contains the string $2.
cmdline_has() {
    local cmd
    cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *"$2"* ]]
}

# The pids of this engine's dockerd processes, found by their exec root rather than the pid file:
# a pid file can be stale, or gone while its daemon still runs.
our_dockerds() {
    local p comm
    for p in /proc/[0-9]*; do
        read -r comm 2>/dev/null <"$p/comm" || continue
        if [ "$comm" = dockerd ] && alive "${p#/proc/}" && cmdline_has "${p#/proc/}" "--exec-root $exec_root"; then
            echo "${p#/proc/}"
        fi
    done
    return 0
}

# The pids of the plain port's relays: socat processes connecting to this engine's socket (the
# listener and the children serving a connection each).
our_relays() {
    local p comm
    for p in /proc/[0-9]*; do
        read -r comm 2>/dev/null <"$p/comm" || continue
        if [ "$comm" = socat ] && alive "${p#/proc/}" && cmdline_has "${p#/proc/}" "UNIX-CONNECT:$socket"; then
            echo "${p#/proc/}"
        fi
    done
    return 0
}

# The pid of the relay listening in this engine's namespace (a relay whose parent is no relay:
# socat's children, one per connection, are not listeners).
relay_listener() {
    local pid stat ppid pcomm
    for pid in $(our_relays); do
        in_our_ns "$pid" || continue
        read -r stat 2>/dev/null <"/proc/$pid/stat" || continue
        stat=${stat##*) }
        ppid=${stat#* }
        ppid=${ppid%% *}
        read -r pcomm 2>/dev/null <"/proc/$ppid/comm" || pcomm=
        if [ "$pcomm" != socat ]; then
            echo "$pid"
            return 0
        fi
    done
    return 0
}

# Whether pid $1 runs in this engine's network namespace (`-ef`: same device and inode).
in_our_ns() { [ "/proc/$1/ns/net" -ef "$ns_path" ]; }

# Everything left of this engine but dockerd itself: its containerd, shims and their containers
# (found by the exec or data root on their command lines), fuse-overlayfs mounts' daemons, and
# whatever still runs in the namespace (docker-proxy). Containers die with their shim's child: the
# container's init is its pid namespace's init, and that namespace dies with it.
leftovers() {
    local pid comm p shims=() ns_ours=1
    # Never the host's own namespace, whatever the name points to.
    [ "/proc/$$/ns/net" -ef "$ns_path" ] && ns_ours=0
    [ -e "$ns_path" ] || ns_ours=0
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        if [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] || ! alive "$pid"; then
            continue
        fi
        read -r comm 2>/dev/null <"$p/comm" || continue
        case $comm in
            containerd | containerd-shim* | fuse-overlayfs | docker-proxy | runc)
                if cmdline_has "$pid" "$exec_root" || cmdline_has "$pid" "$data_root/"; then
                    echo "$pid"
                    [[ $comm == containerd-shim* ]] && shims+=("$pid")
                    continue
                fi
                ;;
        esac
        if [ "$ns_ours" -eq 1 ] && in_our_ns "$pid"; then
            echo "$pid"
        fi
    done
    for p in "${shims[@]}"; do
        cat "/proc/$p/task/"*/children 2>/dev/null | tr ' ' '\n' | grep . || true
    done
}

# Sends SIGTERM to this engine's dockerd and waits up to 30 s (it stops its containers first),
# then kills what is left.
stop_dockerd() {
    local pids pid i
    mapfile -t pids < <(our_dockerds)
    [ "${#pids[@]}" -gt 0 ] || return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
        for pid in "${pids[@]}"; do
            alive "$pid" && break
            pid=
        done
        [ -z "$pid" ] && return 0
        sleep 0.1
    done
    say "dockerd (pid ${pids[*]}) still runs after 30 s; killing it"
    kill -KILL "${pids[@]}" 2>/dev/null || true
}

# Clears what a dockerd that died without stopping left behind, so the next one starts clean:
# processes, mounts under the exec and data roots, pid files (dockerd refuses to start while its
# pid file names a live process; a pid is reused soon after a restart), the socket.
sweep() {
    local pids mounts
    mapfile -t pids < <(leftovers | sort -u)
    if [ "${#pids[@]}" -gt 0 ]; then
        kill -KILL "${pids[@]}" 2>/dev/null || true
        sleep 0.2
    fi
    # Deepest first; lazily, as a killed fuse-overlayfs leaves its mount point unreachable.
    mapfile -t mounts < <(awk -v a="$exec_root" -v b="$data_root" \
        'index($5, a "/") == 1 || index($5 "/", b "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    if [ "${#mounts[@]}" -gt 0 ]; then
        umount -l "${mounts[@]}" 2>/dev/null || true
    fi
    rm -f "$pidfile" "$exec_root/containerd/containerd.pid" "$socket"
}

# --- network -----------------------------------------------------------------------------------

# The namespace, the veth pair between it and the host, their addresses, all up. Each part is
# checked and made again only when missing, so this also mends a half-made or half-removed state.
ensure_network() {
    # A name whose file is left without its namespace mount (`ip netns add` interrupted) cannot
    # be entered: remove it and start again.
    if ! in_ns true 2>/dev/null; then
        ip netns delete "$ns" 2>/dev/null || rm -f "$ns_path"
        ip netns add "$ns"
    fi
    # The host end must exist with its peer in this namespace; one whose peer is elsewhere (an
    # older namespace still held by a process) is replaced.
    if [[ $(ip link show dev "$veth_host" 2>/dev/null) != *"link-netns $ns"* ]] ||
        ! in_ns ip link show dev "$veth_ns" >/dev/null 2>&1; then
        ip link delete "$veth_host" 2>/dev/null || true
        in_ns ip link delete "$veth_ns" 2>/dev/null || true
        ip link add "$veth_host" type veth peer name "$veth_ns" netns "$ns"
    fi
    ip addr replace "$host_addr/24" dev "$veth_host"
    ip link set "$veth_host" up
    in_ns ip addr replace "$addr/24" dev "$veth_ns"
    in_ns ip link set "$veth_ns" up
    in_ns ip link set lo up
}

# --- TLS material ------------------------------------------------------------------------------

# Whether the TLS material is all there, for this address, and valid for at least another day:
# the server certificate names the address, both certificates are the CA's. Three openssl runs,
# a few milliseconds.
tls_valid() {
    local f san
    for f in ca.pem server-cert.pem server-key.pem client/ca.pem client/cert.pem client/key.pem; do
        [ -s "$tls_dir/$f" ] || return 1
    done
    san=$(openssl x509 -in "$tls_dir/server-cert.pem" -noout -checkend 86400 -ext subjectAltName 2>/dev/null) ||
        return 1
    [[ $san == *"IP Address:$addr"$'\n'* || $san == *"IP Address:$addr" ]] || return 1
    openssl x509 -in "$tls_dir/client/cert.pem" -noout -checkend 86400 >/dev/null 2>&1 || return 1
    openssl verify -CAfile "$tls_dir/ca.pem" "$tls_dir/server-cert.pem" "$tls_dir/client/cert.pem" >/dev/null 2>&1
}

# A P-256 key in PKCS#8 PEM at $1, readable by its owner only.
new_key() {
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
}

# Signs key $2 for subject $3 with the CA in $1 (ca.pem, ca-key.pem), extensions $4, into $5.
sign() {
    openssl req -new -key "$2" -subj "$3" -config <(printf '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n') |
        openssl x509 -req -CA "$1/ca.pem" -CAkey "$1/ca-key.pem" -set_serial "0x$(openssl rand -hex 16)" \
            -days 825 -sha256 -extfile <(printf '%s\n' "$4") -out "$5" 2>/dev/null
}

# Makes the CA, the server's certificate for $addr and a client certificate, unless valid ones are
# there: a new folder, moved into place whole. Sets tls_made=1 when it made them (dockerd must
# then be restarted to read them).
tls_made=0
ensure_tls() {
    command -v openssl >/dev/null 2>&1 || die "openssl not found (scripts/ensure-packages.sh openssl)"
    tls_valid && return 0
    local new=$run_dir/tls.new
    rm -rf "$new"
    mkdir -p "$new/client"
    new_key "$new/ca-key.pem"
    new_key "$new/server-key.pem"
    new_key "$new/client/key.pem"
    openssl req -x509 -new -key "$new/ca-key.pem" -subj "/CN=cfn-engine2 test CA" -days 825 -sha256 \
        -out "$new/ca.pem" -config <(printf '%s\n' '[req]' 'distinguished_name = dn' 'x509_extensions = ext' \
            'prompt = no' '[dn]' '[ext]' 'basicConstraints = critical,CA:TRUE' \
            'keyUsage = critical,keyCertSign,cRLSign' 'subjectKeyIdentifier = hash') 2>/dev/null ||
        die "openssl could not make the CA certificate"
    sign "$new" "$new/server-key.pem" "/CN=$addr" "$(printf '%s\n' 'basicConstraints = critical,CA:FALSE' \
        'keyUsage = critical,digitalSignature' 'extendedKeyUsage = serverAuth' "subjectAltName = IP:$addr")" \
        "$new/server-cert.pem" || die "openssl could not make the server certificate"
    sign "$new" "$new/client/key.pem" "/CN=cfn-engine2 client" "$(printf '%s\n' \
        'basicConstraints = critical,CA:FALSE' 'keyUsage = critical,digitalSignature' \
        'extendedKeyUsage = clientAuth')" "$new/client/cert.pem" || die "openssl could not make the client certificate"
    cp "$new/ca.pem" "$new/client/ca.pem"
    # Nothing else is ever signed: the CA's key goes.
    rm -f "$new/ca-key.pem"
    rm -rf "$tls_dir"
    mv "$new" "$tls_dir"
    tls_made=1
    say "made TLS material for $addr in $tls_dir (client: $client_dir)"
}

# --- engine ------------------------------------------------------------------------------------

start_dockerd() {
    local driver
    # The same storage driver as the main engine, which has already found the one that works on
    # this machine (fuse-overlayfs where overlay2 cannot mount, as inside a container).
    driver=$(docker info -f '{{.Driver}}' 2>/dev/null) || driver=
    [ -n "$driver" ] || die "the main Docker engine does not answer (scripts/ensure-docker.sh)"
    mkdir -p "$run_dir" "$exec_root" "$data_root"
    # An empty config of its own: without --config-file dockerd reads /etc/docker/daemon.json,
    # the main engine's, whose hosts, data root or bridge would clash with this one's.
    printf '{}\n' >"$config"
    # Each start appends ~100 lines; a log past 10 MB starts again.
    if [ -f "$log" ] && [ "$(stat -c %s "$log")" -gt 10000000 ]; then
        : >"$log"
    fi
    printf '\n=== %s: starting dockerd\n' "$(date -Is)" >>"$log"
    log_from=$(stat -c %s "$log")
    # Flags, and why:
    #   -H unix://...           its own socket (the default one is the main engine's), which the
    #                           plain port's relay forwards to
    #   -H tcp://...:2376 --tlsverify --tlscacert/--tlscert/--tlskey
    #                           the TLS port: only clients with a certificate of this CA get in
    #                           (dockerd's TLS settings hold for all its TCP addresses, hence
    #                           the relay for the plain one)
    #   --bridge=none           no default docker0 in the namespace: compose makes a network per
    #                           project, and `docker run` here needs --network
    #   --iptables=false        no NAT rules to manage in the namespace (containers need no way
    #                           out); published ports go through...
    #   --userland-proxy=true   ...docker-proxy, listening in the namespace on the published
    #                           address, which the host reaches over the veth (the default, said
    #                           because this engine relies on it)
    # setsid + nohup: the daemon outlives this script and the shell (or test) that ran it. 9>&-:
    # it must not inherit the lock below, or it would hold it for its whole life.
    setsid nohup nsenter --net="$ns_path" dockerd \
        --config-file "$config" \
        --data-root "$data_root" \
        --exec-root "$exec_root" \
        --pidfile "$pidfile" \
        -H "unix://$socket" \
        -H "$tls_engine" --tlsverify \
        --tlscacert "$tls_dir/ca.pem" --tlscert "$tls_dir/server-cert.pem" --tlskey "$tls_dir/server-key.pem" \
        --bridge=none \
        --iptables=false \
        --userland-proxy=true \
        --storage-driver "$driver" \
        >>"$log" 2>&1 </dev/null 9>&- &
}

# The plain port: socat in the namespace, a child per connection relaying it to dockerd's socket.
# -t: after one side ends its half (`docker exec -i` closing stdin), the other is still read for
# up to an hour, not socat's default half a second. Outlives this script, as dockerd does.
start_relay() {
    command -v socat >/dev/null 2>&1 || "$(dirname "$self")/ensure-packages.sh" socat ||
        die "socat is needed for the plain port (apt-get install socat)"
    setsid nohup nsenter --net="$ns_path" socat -t 3600 \
        "TCP-LISTEN:$port,bind=$addr,reuseaddr,fork,backlog=128" "UNIX-CONNECT:$socket" \
        >>"$log" 2>&1 </dev/null 9>&- &
}

# The last lines this start of dockerd logged, without its gRPC chatter.
log_tail() {
    tail -c "+$((log_from + 1))" "$log" 2>/dev/null | grep -v 'module=grpc' | tail -n 30 >&2 || true
}

wait_engine() {
    local start=$SECONDS
    while ! engine_answers || ! tls_answers; do
        if [ -z "$(our_dockerds)" ]; then
            log_tail
            die "dockerd exited before $engine and $tls_engine answered; see $log"
        fi
        if [ -z "$(relay_listener)" ]; then
            log_tail
            die "the relay of $engine (socat) exited; see $log"
        fi
        if ((SECONDS - start >= wait_limit)); then
            log_tail
            engine_answers || die "$engine does not answer 'docker info' after ${wait_limit}s; see $log"
            die "$tls_engine does not answer 'docker --tlsverify info' after ${wait_limit}s; see $log"
        fi
        sleep 0.2
    done
}

# Copies the main engine's cfn-test/* images that this engine lacks or has under another ID
# (a rebuilt recipe), in one `docker save | docker load`.
load_images() {
    local ref id missing=()
    local -A have=()
    while read -r ref id; do
        have[$ref]=$id
    done < <(remote images --no-trunc --filter 'reference=cfn-test/*' --format '{{.Repository}}:{{.Tag}} {{.ID}}')
    local n=0
    while read -r ref id; do
        n=$((n + 1))
        [ "${have[$ref]:-}" = "$id" ] || missing+=("$ref")
    done < <(docker images --no-trunc --filter 'reference=cfn-test/*' --format '{{.Repository}}:{{.Tag}} {{.ID}}')
    [ "$n" -gt 0 ] || die "the main engine has no cfn-test/* images to copy (scripts/build-test-images.sh)"
    if [ "${#missing[@]}" -gt 0 ]; then
        docker save "${missing[@]}" | remote load -q >/dev/null ||
            die "copying ${missing[*]} to $engine failed"
        # The images those tags pointed to before are now untagged: drop them.
        remote image prune -f >/dev/null 2>&1 || true
    fi
    say "$engine and $tls_engine (TLS) answer; images: $n ($((n - ${#missing[@]})) there, ${#missing[@]} copied)"
}

# --- subcommands -------------------------------------------------------------------------------

need_root() {
    [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, veth, dockerd)"
    local tool
    for tool in ip nsenter dockerd docker; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/ensure-docker.sh installs Docker)"
    done
}

# One `up` or `down` at a time: parallel test processes may all find the engine missing at once.
lock() {
    mkdir -p "$run_dir"
    exec 9>"$run_dir/lock"
    flock -w 120 9 || die "timed out waiting for another $prog run"
}

cmd_up() {
    need_root
    lock
    ensure_network
    ensure_tls
    local pid why=
    # A dockerd of this engine is replaced when it runs elsewhere than in today's namespace (its
    # namespace was deleted and made again under it: unreachable on the veth), has no TLS port
    # at this address (started by an older version of this script), or holds TLS material that
    # was just replaced.
    for pid in $(our_dockerds); do
        if ! in_our_ns "$pid"; then
            why="runs outside $ns"
        elif ! cmdline_has "$pid" "-H $tls_engine --tlsverify"; then
            why="has no TLS listener at $tls_engine"
        elif [ "$tls_made" -eq 1 ]; then
            why="read the TLS material replaced just now"
        fi
        if [ -n "$why" ]; then
            say "dockerd (pid $pid) $why; restarting it"
            stop_dockerd
            break
        fi
    done
    if [ -z "$(our_dockerds)" ]; then
        # Also ends a relay in the namespace, and whatever holds the plain port there.
        sweep
        start_dockerd
    fi
    # Relays left in an older namespace serve nothing reachable.
    for pid in $(our_relays); do
        in_our_ns "$pid" || kill -KILL "$pid" 2>/dev/null || true
    done
    [ -n "$(relay_listener)" ] || start_relay
    wait_engine
    load_images
}

cmd_down() {
    need_root
    lock
    local pids
    stop_dockerd
    sweep
    mapfile -t pids < <(our_relays)
    [ "${#pids[@]}" -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || rm -f "$ns_path"
    # The veth pair goes with the namespace; a host end whose peer sat elsewhere may not.
    ip link delete "$veth_host" 2>/dev/null || true
    say "stopped; $state_dir is kept (images, log), and $tls_dir"
}

cmd_status() {
    local up=0 pids
    if [ -e "$ns_path" ]; then say "namespace $ns: present"; else say "namespace $ns: absent"; fi
    if ip link show dev "$veth_host" >/dev/null 2>&1; then
        say "veth $veth_host: $(ip -br addr show dev "$veth_host" | awk '{ $1 = ""; print }' | sed 's/^ //')"
    else
        say "veth $veth_host: absent"
    fi
    pids=$(our_dockerds | tr '\n' ' ')
    if [ -n "$pids" ]; then say "dockerd: pid ${pids% }"; else say "dockerd: not running"; fi
    pids=$(relay_listener)
    if [ -n "$pids" ]; then say "relay of $engine: pid $pids"; else say "relay of $engine: not running"; fi
    if tls_valid; then say "TLS material: $tls_dir (client: $client_dir)"; else say "TLS material: missing or invalid"; fi
    if engine_answers; then
        up=1
        say "engine $engine: answers, version $(remote version -f '{{.Server.Version}}'), $(remote ps -q | wc -l) containers running"
        say "images: $(remote images --filter 'reference=cfn-test/*' --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')"
    else
        say "engine $engine: does not answer"
    fi
    if tls_answers; then
        say "engine $tls_engine: answers over TLS with the client certificate"
    else
        up=0
        say "engine $tls_engine: does not answer over TLS"
    fi
    [ "$up" -eq 1 ]
}

# A container on a network of its own publishing $check_port on the engine's address, reached
# from the host over the veth. Removes what it made, whatever happens.
cmd_check() {
    engine_answers || die "$engine does not answer; run: $self up"
    cleanup_check() {
        remote rm -f "$check_name" >/dev/null 2>&1 || true
        remote network rm "$check_name" >/dev/null 2>&1 || true
    }
    trap cleanup_check EXIT
    cleanup_check
    remote network create "$check_name" >/dev/null
    remote run -d --name "$check_name" --network "$check_name" -e "PORT=$check_port" \
        -p "$addr:$check_port:$check_port" cfn-test/app:1 >/dev/null
    local i status=
    for ((i = 0; i < 50; i++)); do
        # bash's /dev/tcp: no curl needed.
        if { exec 3<>"/dev/tcp/$addr/$check_port"; } 2>/dev/null; then
            printf 'GET /health HTTP/1.0\r\n\r\n' >&3
            IFS= read -r -t 5 status 2>/dev/null <&3 || true
            exec 3>&-
            [[ $status == *" 200 "* ]] && break
        fi
        sleep 0.1
    done
    [[ $status == *" 200 "* ]] ||
        die "http://$addr:$check_port/health did not answer 200 from the host (last: ${status:-no connection})"
    say "http://$addr:$check_port/health answers from the host: ${status%$'\r'}"
    # The same container seen over TLS; and without a client certificate, the TLS port refuses.
    [ "$(remote_tls ps -q --filter "name=^$check_name\$" | wc -l)" -eq 1 ] ||
        die "$tls_engine does not list $check_name"
    # (DOCKER_CERT_PATH of a folder that does not exist: no default client certificate either.)
    if "${clean_env[@]}" DOCKER_CERT_PATH=/nonexistent docker --tls --tlscacert "$client_dir/ca.pem" \
        -H "$tls_engine" ps >/dev/null 2>&1; then
        die "$tls_engine answered a client without a certificate"
    fi
    say "$tls_engine lists it over TLS, and refuses a client without a certificate"
}

case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    check) cmd_check ;;
    -h | --help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$self" ;;
    *) die "usage: $prog up|down|status|check" ;;
esac
