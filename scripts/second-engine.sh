#!/usr/bin/env bash
# A second Docker Engine on this machine, for the tests of cfn's remote engines (`tcp://`, `ssh://`):
# a dockerd of its own inside the network namespace cfn-engine2, reached from the host over a
# veth pair (host side 10.231.0.1/24, cfn-e2h; namespace side 10.231.0.2/24, cfn-e2n) at
#   tcp://10.231.0.2:2375  plain TCP
#   tcp://10.231.0.2:2376  TLS, client certificate required (--tlsverify): a client's files are
#                          in /run/cfn-engine2/tls/client/{ca,cert,key}.pem (DOCKER_CERT_PATH)
#   ssh://root@10.231.0.2  an sshd of its own on 10.231.0.2:22, key only: the client's key is
#                          /run/cfn-engine2/ssh/client/id_ed25519, its known_hosts beside it
#                          (`ssh -F /run/cfn-engine2/ssh/client/config 10.231.0.2` uses both);
#                          sessions get DOCKER_HOST of this engine's socket, so the
#                          `docker system dial-stdio` of an ssh:// client reaches this engine
# Its ports are published on 10.231.0.2, as a remote machine's would be on its own address;
# nothing of it listens on the host's addresses.
#
#   scripts/second-engine.sh up       make it all (idempotent; about a second when it is there)
#   scripts/second-engine.sh status   say what is there; exit 0 only when both ports and ssh answer
#   scripts/second-engine.sh check    run a container publishing a port, reach it from the host;
#                                     see it over TLS, and the TLS port refuse a client without
#                                     a certificate; see it with `docker -H ssh://…`, and sshd
#                                     refuse a client without the key
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
# Why sshd's own config: the system's (/etc/ssh) listens on every address and allows passwords;
# this one listens on the engine's address only, with a host key of its own, and gives sessions
# the engine's DOCKER_HOST (the namespace shares the host's filesystem, so the `docker` a session
# runs would otherwise reach the main engine). Installing openssh-server never starts the
# system's sshd service: /etc/ssh/sshd_not_to_be_run is made first.
# It is entered with `nsenter --net`, never `ip netns exec`: the latter also remounts /sys in a
# new mount namespace, where dockerd finds no cgroups.
#
# `up` also copies the test images (cfn-test/*, scripts/build-test-images.sh) from the main engine
# into this one, only those whose image ID differs, and recovers from what a killed run leaves
# (a dead dockerd's pid files, its containerd, shims and mounts; a namespace without dockerd).
# State: /run/cfn-engine2 (sockets, pid files, exec root, TLS and ssh files) and
# /var/lib/cfn-test-engine2 (data root, dockerd.log and sshd.log; `down` leaves them, so the next
# `up` needs no image copy).
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
ssh_port=22
ssh_engine=ssh://root@$addr
ssh_dir=$run_dir/ssh
ssh_client_dir=$ssh_dir/client
ssh_key=$ssh_client_dir/id_ed25519
ssh_known_hosts=$ssh_client_dir/known_hosts
ssh_host_key=$ssh_dir/host_ed25519_key
ssh_authorized=$ssh_dir/authorized_keys
sshd_config=$ssh_dir/sshd_config
sshd_pidfile=$ssh_dir/sshd.pid
sshd_log=$state_dir/sshd.log
sshd_bin=/usr/sbin/sshd
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
# ssh with this engine's client key and known host only: -F /dev/null leaves out the caller's and
# the system's ssh configuration, BatchMode never asks for a password or a new host key.
ssh_opts=(-F /dev/null -i "$ssh_key" -o IdentitiesOnly=yes -o BatchMode=yes
          -o UserKnownHostsFile="$ssh_known_hosts" -o GlobalKnownHostsFile=/dev/null
          -o StrictHostKeyChecking=yes -o ConnectTimeout=10 -p "$ssh_port" -T)
remote_ssh() { "${clean_env[@]}" ssh "${ssh_opts[@]}" -- "root@$addr" "$@"; }
# Whether a login over ssh reaches this engine (its data root, not the main engine's): what
# `docker system dial-stdio` run by an ssh:// client would reach. With --format the CLI exits 0
# even when it reached no engine, hence the comparison.
ssh_answers() {
    [ -e "/sys/class/net/$veth_host" ] && [ -f "$ssh_key" ] &&
        [ "$(timeout 20 "${clean_env[@]}" ssh "${ssh_opts[@]}" -- "root@$addr" \
            docker info --format '{{.DockerRootDir}}' 2>/dev/null)" = "$data_root" ]
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

# --- ssh ---------------------------------------------------------------------------------------

# An OpenSSH server in the namespace, listening on $addr:$ssh_port only, for `ssh://` engines:
# the docker CLI (and compose, and cfn) run `ssh root@$addr docker system dial-stdio` per
# connection. The namespace shares the host's filesystem and so its `docker`, which would reach
# the main engine: sshd gives every session DOCKER_HOST=unix://$socket (SetEnv).
# Its own config, host key and authorized key in $ssh_dir: nothing of /etc/ssh is read, and the
# system's own sshd service is never started (see ensure_sshd_installed).

# Installs openssh-server when missing. Its package starts the system's sshd (listening on every
# address of the host) unless policy-rc.d forbids it; Debian's init script and systemd unit both
# stand down while /etc/ssh/sshd_not_to_be_run exists, so that file is made first when this
# installs the package (an openssh-server installed before is left as its owner set it up).
ensure_sshd_installed() {
    [ -x "$sshd_bin" ] && command -v ssh-keygen >/dev/null 2>&1 && return 0
    local status
    status=$(dpkg-query -W -f='${db:Status-Status}' openssh-server 2>/dev/null || true)
    if [ "$status" != installed ]; then
        mkdir -p /etc/ssh
        [ -e /etc/ssh/sshd_not_to_be_run ] ||
            printf '%s\n' "Made by cfn's scripts/second-engine.sh: the system's sshd service is not to run" \
                "(the test engine runs an sshd of its own). Remove this file to let the service start." \
                >/etc/ssh/sshd_not_to_be_run
    fi
    "$(dirname "$self")/ensure-packages.sh" openssh-server ||
        die "openssh-server is needed for $ssh_engine (apt-get install openssh-server)"
    [ -x "$sshd_bin" ] || die "$sshd_bin not found after installing openssh-server"
}

# Writes $3 (and a newline) to $1 with mode $2 unless it holds that already; returns 1 when it
# wrote nothing.
put() {
    if [ -f "$1" ] && [ "$(<"$1")" = "$3" ] && [ "$(stat -c %a "$1")" = "$2" ]; then
        return 1
    fi
    (umask 077 && printf '%s\n' "$3" >"$1.new")
    chmod "$2" "$1.new"
    mv -f "$1.new" "$1"
}

# An ed25519 key pair at $1 and $1.pub, comment $2, made again when either is missing or they do
# not match. Returns 1 when the pair was there.
ensure_key() {
    local pub
    if [ -s "$1" ] && [ -s "$1.pub" ] && pub=$(ssh-keygen -y -f "$1" 2>/dev/null | cut -d' ' -f1,2) &&
        [ "$pub" = "$(cut -d' ' -f1,2 "$1.pub")" ]; then
        return 1
    fi
    rm -f "$1" "$1.pub"
    ssh-keygen -q -t ed25519 -N '' -C "$2" -f "$1" </dev/null || die "ssh-keygen could not make $1"
}

# The sshd_config. Not the system's (/etc/ssh/sshd_config: every address, passwords, PAM); and
# key-only logins for root. UsePAM no, as a remote test machine needs no PAM session, unless root's
# password is locked ('!'): without PAM, sshd then refuses root even with a key.
# MaxStartups: each API connection of a client is an ssh login, and parallel tests open many at
# once; the default 10 unauthenticated connections would drop some.
sshd_config_text() {
    local pam=no version
    [[ $(getent shadow root 2>/dev/null | cut -d: -f2) == '!'* ]] && pam=yes
    printf '%s\n' \
        "# The sshd of the second engine (scripts/second-engine.sh), run in the network namespace $ns." \
        "ListenAddress $addr:$ssh_port" \
        "HostKey $ssh_host_key" \
        "PidFile $sshd_pidfile" \
        "AuthorizedKeysFile $ssh_authorized" \
        "AllowUsers root" \
        "PermitRootLogin prohibit-password" \
        "PubkeyAuthentication yes" \
        "PasswordAuthentication no" \
        "KbdInteractiveAuthentication no" \
        "HostbasedAuthentication no" \
        "UsePAM $pam" \
        "PermitUserEnvironment no" \
        "SetEnv DOCKER_HOST=unix://$socket" \
        "X11Forwarding no" \
        "PrintMotd no" \
        "PrintLastLog no" \
        "UseDNS no" \
        "MaxStartups 100:30:200" \
        "LogLevel INFO"
    # OpenSSH 9.8 and later refuse, for a while, an address that failed to log in (tests check
    # refusals, and every client here comes from one address).
    version=$("$sshd_bin" -V 2>&1) || true
    if [[ $version =~ OpenSSH_([0-9]+)\.([0-9]+) ]] &&
        ((BASH_REMATCH[1] > 9 || (BASH_REMATCH[1] == 9 && BASH_REMATCH[2] >= 8))); then
        printf '%s\n' "PerSourcePenalties no"
    fi
}

# The host key, the client's key pair, known_hosts naming the host key at $addr, the authorized
# key and sshd_config: each made when missing or different. Sets ssh_made=1 when sshd must be
# restarted to read them (its host key or config changed).
ssh_made=0
ensure_ssh_files() {
    mkdir -p "$ssh_dir" "$ssh_client_dir"
    chmod 0755 "$ssh_dir"
    chmod 0700 "$ssh_client_dir"
    ensure_key "$ssh_host_key" "cfn-engine2 host $addr" && ssh_made=1
    ensure_key "$ssh_key" "cfn-engine2 client" || true
    put "$ssh_authorized" 644 "$(cut -d' ' -f1,2 "$ssh_key.pub") cfn-engine2 client" || true
    put "$ssh_known_hosts" 644 "$addr $(cut -d' ' -f1,2 "$ssh_host_key.pub")" || true
    # For a person's `ssh -F $ssh_client_dir/config $addr` (and this script's check).
    put "$ssh_client_dir/config" 644 "$(printf '%s\n' "# ssh -F $ssh_client_dir/config $addr" \
        "Host $addr" "    User root" "    Port $ssh_port" "    IdentityFile $ssh_key" "    IdentitiesOnly yes" \
        "    UserKnownHostsFile $ssh_known_hosts" "    GlobalKnownHostsFile /dev/null" \
        "    StrictHostKeyChecking yes" "    BatchMode yes")" || true
    if put "$sshd_config" 644 "$(sshd_config_text)"; then
        ssh_made=1
        local out
        sshd_privsep_dir
        if ! out=$("$sshd_bin" -t -f "$sshd_config" 2>&1); then
            rm -f "$sshd_config"
            die "sshd does not accept the config written: $out"
        fi
    fi
}

# The pids of this engine's sshd listeners (connections' sshd processes are not: their command
# line is replaced by "sshd: root@notty" and the like).
our_sshds() {
    local p comm
    for p in /proc/[0-9]*; do
        read -r comm 2>/dev/null <"$p/comm" || continue
        if [ "$comm" = sshd ] && alive "${p#/proc/}" && cmdline_has "${p#/proc/}" "-f $sshd_config" &&
            ! cmdline_has "${p#/proc/}" " -R"; then
            echo "${p#/proc/}"
        fi
    done
    return 0
}

# The pids of sshd processes listening in the host's network namespace (any sshd: this engine's
# listens in its own namespace only).
host_sshds() {
    ss -Hltnp 2>/dev/null | grep -o '"sshd",pid=[0-9]*' | cut -d= -f2 | sort -u || true
}

# Whether this script made /etc/ssh/sshd_not_to_be_run, when it installed openssh-server: then
# no sshd is meant to listen on the host's addresses.
host_sshd_unwanted() {
    grep -qs "cfn's scripts/second-engine.sh" /etc/ssh/sshd_not_to_be_run
}

stop_sshds() {
    local pids i
    mapfile -t pids < <(our_sshds)
    [ "${#pids[@]}" -gt 0 ] || return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
        [ -z "$(our_sshds)" ] && break
        sleep 0.1
    done
    mapfile -t pids < <(our_sshds)
    [ "${#pids[@]}" -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
    rm -f "$sshd_pidfile"
}

# The privilege separation directory sshd insists on (the package's service would make it).
sshd_privsep_dir() {
    mkdir -p /run/sshd
    chmod 0755 /run/sshd
}

# -D: sshd stays in the foreground of its own session (setsid), as dockerd does; -E: its log.
start_sshd() {
    sshd_privsep_dir
    if [ -f "$sshd_log" ] && [ "$(stat -c %s "$sshd_log")" -gt 10000000 ]; then
        : >"$sshd_log"
    fi
    printf '=== %s: starting sshd\n' "$(date -Is)" >>"$sshd_log"
    # shellcheck disable=SC2094 # -E appends to the log, as does what sshd prints before reading it
    setsid nohup nsenter --net="$ns_path" "$sshd_bin" -D -f "$sshd_config" -E "$sshd_log" \
        >>"$sshd_log" 2>&1 </dev/null 9>&- &
}

# Whether an sshd at $addr:$ssh_port sends its greeting: a few milliseconds, where a login takes a
# few tenths of a second (the key exchange, and root's shell starting on the other side).
sshd_greets() {
    local banner=
    { exec 3<>"/dev/tcp/$addr/$ssh_port"; } 2>/dev/null || return 1
    IFS= read -r -t 5 banner <&3 || true
    exec 3>&-
    [[ $banner == SSH-2.0-* ]]
}

# Starts sshd when it is not running in the namespace, does not greet, or must read new files;
# after a start, waits until a login reaches this engine. One left running with the same files
# is only asked for its greeting, which keeps a second `up` quick (a login takes 0.3 s here, half
# of it root's shell starting); those files were all checked just before, and `status` logs in.
ensure_sshd() {
    local pid ok=0 start=$SECONDS
    # Each login's unprivileged part runs there: without it every login fails, even to a live sshd.
    sshd_privsep_dir
    for pid in $(our_sshds); do
        if [ "$ssh_made" -eq 1 ] || ! in_our_ns "$pid"; then
            stop_sshds
            ok=0
            break
        fi
        ok=1
    done
    if [ "$ok" -eq 1 ] && ! sshd_greets; then
        say "sshd (pid $(our_sshds | paste -sd " " -)) does not greet on $addr:$ssh_port; restarting it"
        stop_sshds
        ok=0
    fi
    [ "$ok" -eq 0 ] || return 0
    start_sshd
    while ! ssh_answers; do
        if [ -z "$(our_sshds)" ]; then
            tail -n 20 "$sshd_log" >&2 || true
            die "sshd exited before $ssh_engine answered; see $sshd_log"
        fi
        if ((SECONDS - start >= wait_limit)); then
            tail -n 20 "$sshd_log" >&2 || true
            die "$ssh_engine does not reach this engine after ${wait_limit}s: $(remote_ssh docker info \
                --format '{{.DockerRootDir}}' 2>&1 | tail -n 3 | tr '\n' ' ')(see $sshd_log)"
        fi
        sleep 0.1
    done
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
    say "$engine, $tls_engine (TLS) and $ssh_engine answer; images: $n ($((n - ${#missing[@]})) there, ${#missing[@]} copied)"
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
    ensure_sshd_installed
    ensure_ssh_files
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
    ensure_sshd
    load_images
}

cmd_down() {
    need_root
    lock
    local pids
    stop_dockerd
    sweep
    stop_sshds
    mapfile -t pids < <(our_relays)
    [ "${#pids[@]}" -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || rm -f "$ns_path"
    # The veth pair goes with the namespace; a host end whose peer sat elsewhere may not.
    ip link delete "$veth_host" 2>/dev/null || true
    say "stopped; $state_dir is kept (images, logs), and $tls_dir and $ssh_dir"
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
    pids=$(our_sshds | tr '\n' ' ')
    if [ -n "$pids" ]; then say "sshd on $addr:$ssh_port: pid ${pids% }"; else say "sshd on $addr:$ssh_port: not running"; fi
    pids=$(host_sshds | paste -sd ' ' -)
    if [ -n "$pids" ]; then say "sshd on the host's addresses: pid $pids (not this engine's)"; fi
    if [ -s "$ssh_key" ] && [ -s "$ssh_known_hosts" ]; then
        say "ssh client files: $ssh_key, $ssh_known_hosts (or: ssh -F $ssh_client_dir/config $addr)"
    else
        say "ssh client files: missing"
    fi
    if ssh_answers; then
        say "engine $ssh_engine: a login with the client key reaches this engine"
    else
        up=0
        say "engine $ssh_engine: does not answer"
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

    # Over ssh, as the docker CLI does it: `docker -H ssh://…` runs `ssh` from PATH, here one that
    # reads the client's config (ssh takes ~/.ssh/config from the passwd entry's home, so a HOME
    # of one's own would not do).
    local bin
    bin=$(mktemp -d)
    # shellcheck disable=SC2064 # the folder's name now: $bin is gone when the trap runs
    trap "cleanup_check; rm -rf $(printf %q "$bin")" EXIT
    printf '#!/bin/sh\nexec %q -F %q "$@"\n' "$(command -v ssh)" "$ssh_client_dir/config" >"$bin/ssh"
    chmod 0755 "$bin/ssh"
    [ "$("${clean_env[@]}" PATH="$bin:$PATH" docker -H "$ssh_engine" ps -q --filter "name=^$check_name\$" | wc -l)" -eq 1 ] ||
        die "docker -H $ssh_engine does not list $check_name"
    # Keys only: a client that would log in with a password is offered nothing but the key method.
    local refused
    refused=$("${clean_env[@]}" ssh "${ssh_opts[@]}" -o PreferredAuthentications=password,keyboard-interactive \
        -- "root@$addr" true 2>&1) &&
        die "$ssh_engine let a client in without its key"
    [[ $refused == *"Permission denied (publickey)"* ]] ||
        die "$ssh_engine refused a password client otherwise than by asking for a key: $refused"
    # Its sshd listens in the namespace only, and, when this script installed openssh-server, no
    # sshd listens on the host's addresses (the system's would, with its own config).
    local pid others
    for pid in $(our_sshds); do
        ss -Hltnp 2>/dev/null | grep -q "pid=$pid," && die "sshd (pid $pid) listens on the host's addresses"
    done
    others=$(host_sshds | paste -sd ' ' -)
    if [ -n "$others" ]; then
        host_sshd_unwanted && die "an sshd listens on the host's addresses (pid $others), although" \
            "/etc/ssh/sshd_not_to_be_run says the system's is not to run"
        say "note: an sshd of the host's listens on its addresses (pid $others); not this engine's"
    fi
    say "docker -H $ssh_engine lists it; its sshd takes keys only, and listens on $addr:$ssh_port only"
}

case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    check) cmd_check ;;
    -h | --help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$self" ;;
    *) die "usage: $prog up|down|status|check" ;;
esac
