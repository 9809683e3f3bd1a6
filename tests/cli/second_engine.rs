//! The second Docker engine, for the tests of remote engines (`tcp://`, `ssh://`): a dockerd in the
//! network namespace cfn-engine2, reached from the host over a veth pair at tcp://10.231.0.2:2375
//! (plain TCP), tcp://10.231.0.2:2376 (TLS, a client certificate required) and
//! ssh://root@10.231.0.2 (an sshd of its own, key only, whose sessions' `docker` reaches this
//! engine), with copies of the cfn-test images (scripts/second-engine.sh; scripts/setup-test.sh
//! runs its `up`). Its containers publish their ports on 10.231.0.2, where the host reaches them
//! as it would a remote machine's; nothing of it listens on the host's own addresses.

use crate::harness::text;
use crate::stack_harness::{docker_ok, port_block};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const PORT: u16 = 2375;
const TLS_PORT: u16 = 2376;
const SSH_PORT: u16 = 22;
/// The second engine's data root (`docker info`'s DockerRootDir): how a login over ssh is told to
/// reach this engine rather than the main one, whose `docker` shares the filesystem.
const DATA_ROOT: &str = "/var/lib/cfn-test-engine2/data";
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/second-engine.sh");

/// The second engine's address: its API listens there, and its containers' published ports.
pub fn address() -> &'static str {
    "10.231.0.2"
}

/// The second engine's `DOCKER_HOST`, once it answers. When it does not, the first caller of the
/// test process runs `bash scripts/second-engine.sh up` (callers meanwhile wait for that run,
/// later ones reuse its outcome). Panics when the engine cannot be had, under CI or not: a
/// remote-engine test that skipped would pass without having tried anything remote.
pub fn host() -> String {
    ready();
    plain_host()
}

/// The second engine's TLS address (dockerd with `--tlsverify`: only clients holding a
/// certificate of its CA get in), once it answers `docker --tlsverify info` with the client
/// files of [`tls_client_dir`]. Started and checked as [`host`] is, with the same panics.
pub fn tls_host() -> String {
    ready();
    tls_address()
}

/// The folder of the TLS engine's client files, `ca.pem`, `cert.pem` and `key.pem` (docker's
/// layout: what `DOCKER_CERT_PATH` names), made by `scripts/second-engine.sh up`.
pub fn tls_client_dir() -> PathBuf {
    PathBuf::from("/run/cfn-engine2/tls/client")
}

/// The second engine as an `ssh://` engine, `ssh://root@10.231.0.2`, once a login with the
/// client key of [`ssh_client_dir`] runs `docker` there and reaches this engine (what `docker
/// system dial-stdio` of an ssh:// client does). Started and checked as [`host`] is, with the same
/// panics. A client needs [`ssh_config_in`] to log in.
pub fn ssh_host() -> String {
    ready();
    let host = ssh_address();
    if ssh_answers().is_err() {
        // sshd died after this process's `up` (or before an `up` that found tcp and TLS there).
        up_once(&host);
        if let Err(e) = ssh_answers() {
            panic!(
                "the second Docker engine ({host}) is not reached by `ssh root@{} docker info` with the \
                 client key of {}, although `{SCRIPT} up` succeeded: {e}",
                address(),
                ssh_client_dir().display()
            );
        }
    }
    host
}

/// The folder of the ssh client's files made by `scripts/second-engine.sh up`: `id_ed25519`
/// (0600) and `.pub`, the key sshd lets in as root, and `known_hosts`, naming 10.231.0.2's
/// host key.
pub fn ssh_client_dir() -> PathBuf {
    PathBuf::from("/run/cfn-engine2/ssh/client")
}

/// Sets up ssh for a process run with `HOME=<home>`: writes `<home>/.ssh/config` (0600, in a 0700
/// folder) naming, for `Host 10.231.0.2`, the client key, the known_hosts file, `StrictHostKeyChecking
/// yes` and `BatchMode yes`; and returns the `PATH` to run that process with.
///
/// The `PATH`, because ssh never reads `$HOME`: it takes `~/.ssh/config` (and `~` everywhere) from
/// the passwd entry's home directory, root's `/root` here, whatever HOME says. The returned `PATH`
/// starts with `<home>/.ssh/bin`, holding an `ssh` that runs the real one with `-F
/// <home>/.ssh/config`; cfn and the docker CLI (and compose v2 through it) run `ssh` from `PATH`,
/// so they all use that file, and only it (`-F` also leaves out /etc/ssh/ssh_config). Without the
/// `PATH`, HOME alone changes nothing for ssh. Call it after [`ssh_host`], which makes the files
/// it names.
pub fn ssh_config_in(home: &Path) -> String {
    let dir = home.join(".ssh");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let client = ssh_client_dir();
    let config = dir.join("config");
    let text = format!(
        "Host {}\n    IdentityFile {}\n    IdentitiesOnly yes\n    UserKnownHostsFile {}\n    \
         StrictHostKeyChecking yes\n    BatchMode yes\n",
        address(),
        client.join("id_ed25519").display(),
        client.join("known_hosts").display()
    );
    write_with_mode(&config, &text, 0o600);

    let path = std::env::var_os("PATH").unwrap_or_default();
    let real = std::env::split_paths(&path)
        .filter(|d| *d != bin)
        .map(|d| d.join("ssh"))
        .find(|p| p.is_file())
        .expect("ssh is not installed (scripts/second-engine.sh up installs openssh-server, and its client)");
    let script = format!("#!/bin/sh\nexec {} -F {} \"$@\"\n", sh_quote(&real), sh_quote(&config));
    write_with_mode(&bin.join("ssh"), &script, 0o755);
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(&path));
    std::env::join_paths(dirs).unwrap().into_string().expect("PATH is not UTF-8")
}

fn write_with_mode(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `path` as one word of sh, in single quotes.
fn sh_quote(path: &Path) -> String {
    format!("'{}'", path.to_str().expect("a UTF-8 path").replace('\'', r"'\''"))
}

fn ssh_address() -> String {
    format!("ssh://root@{}", address())
}

/// ssh as [`ssh_host`] checks it: the client's key and known host, nothing of the caller's or the
/// system's ssh settings (`-F /dev/null`), never a prompt.
fn engine_ssh() -> Command {
    engine_ssh_with(&ssh_client_dir().join("id_ed25519"))
}

/// The same with the key `key` as the only identity.
fn engine_ssh_with(key: &Path) -> Command {
    let dir = ssh_client_dir();
    let mut cmd = Command::new("ssh");
    cmd.arg("-F")
        .arg("/dev/null")
        .arg("-i")
        .arg(key)
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", dir.join("known_hosts").display()))
        .args(["-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"])
        .args(["-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10", "-T"]);
    cmd
}

/// Whether a login over ssh runs `docker` against the second engine, or why not. Its data root
/// tells it from the main engine (both report the same name and ID); with `--format` the CLI
/// exits 0 even when it reached no engine, which the comparison also catches.
fn ssh_answers() -> Result<(), String> {
    if !reachable(SSH_PORT) {
        return Err(format!("nothing accepts connections at {}:{SSH_PORT}", address()));
    }
    let key = ssh_client_dir().join("id_ed25519");
    if !key.is_file() {
        return Err(format!("{} is missing", key.display()));
    }
    let out = engine_ssh()
        .args(["--", &format!("root@{}", address()), "docker", "info", "--format", "{{.DockerRootDir}}"])
        .output()
        .map_err(|e| format!("cannot run ssh: {e}"))?;
    let root = text(&out.stdout).trim().to_string();
    if out.status.success() && root == DATA_ROOT {
        return Ok(());
    }
    let stderr = text(&out.stderr).trim().to_string();
    Err(format!(
        "{}; data root {root:?}, not {DATA_ROOT:?}{}",
        out.status,
        if stderr.is_empty() { String::new() } else { format!("; {stderr}") }
    ))
}

fn plain_host() -> String {
    format!("tcp://{}:{PORT}", address())
}

fn tls_address() -> String {
    format!("tcp://{}:{TLS_PORT}", address())
}

/// Returns once both ports answer; otherwise runs `up` once for the whole test process, then
/// insists. Both, whichever a test uses: `up` restarts a dockerd without the TLS port (started
/// by an older version of the script), which must happen before a test of this process uses
/// the engine, not under it.
fn ready() {
    let (plain, tls) = (plain_host(), tls_address());
    let both = || answers(&plain) && tls_answers(&tls);
    if both() {
        return;
    }
    up_once(&format!("{plain}, {tls}"));
    assert!(
        answers(&plain),
        "the second Docker engine ({plain}) does not answer `docker info`, although `{SCRIPT} up` succeeded"
    );
    assert!(
        tls_answers(&tls),
        "the second Docker engine ({tls}) does not answer `docker --tlsverify info` with the client files \
         of {}, although `{SCRIPT} up` succeeded",
        tls_client_dir().display()
    );
}

/// Whether the engine answers `docker info`. A TCP connection comes first, with a short timeout:
/// without the namespace's veth the address goes to the default route, where it may hang (or,
/// in some sandboxes, reach a proxy that answers any HTTP request with 404). Plain `docker info`:
/// with `--format` the CLI exits 0 even when the server's answer is an error.
fn answers(host: &str) -> bool {
    reachable(PORT) && docker(host, &["info"]).status.success()
}

/// The same over TLS, with the client certificate.
fn tls_answers(host: &str) -> bool {
    reachable(TLS_PORT)
        && tls_client_dir().join("key.pem").is_file()
        && tls_docker(host, &["info"]).status.success()
}

/// Runs `up` the first time a caller of this test process needs it (callers meanwhile wait for
/// that run, later ones reuse its outcome); panics when it failed.
fn up_once(what: &str) {
    static UP: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(e) = UP.get_or_init(up) {
        panic!("the second Docker engine ({what}) is not available: {e}");
    }
}

fn reachable(port: u16) -> bool {
    let api = SocketAddr::new(address().parse().unwrap(), port);
    TcpStream::connect_timeout(&api, Duration::from_secs(2)).is_ok()
}

fn up() -> Result<(), String> {
    // The tests assume the default address: an override meant for a manual run must not move it.
    let out = Command::new("bash")
        .args([SCRIPT, "up"])
        .env_remove("CFN_ENGINE2_ADDR")
        .output()
        .map_err(|e| format!("cannot run `bash {SCRIPT} up`: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!("`bash {SCRIPT} up` failed ({}):\n{}{}", out.status, text(&out.stdout), text(&out.stderr)))
}

/// The docker CLI without the TLS settings or context of the test's environment, which would
/// make it speak TLS to the plain port or use other files.
fn docker_cli() -> Command {
    let mut cmd = Command::new("docker");
    for var in ["DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS", "DOCKER_CONTEXT"] {
        cmd.env_remove(var);
    }
    cmd
}

/// `docker -H <host> <args>`.
pub fn docker(host: &str, args: &[&str]) -> Output {
    docker_cli().args(["-H", host]).args(args).output().unwrap()
}

/// `docker --tlsverify <the client's files> -H <host> <args>`.
pub fn tls_docker(host: &str, args: &[&str]) -> Output {
    let dir = tls_client_dir();
    docker_cli()
        .arg("--tlsverify")
        .arg("--tlscacert")
        .arg(dir.join("ca.pem"))
        .arg("--tlscert")
        .arg(dir.join("cert.pem"))
        .arg("--tlskey")
        .arg(dir.join("key.pem"))
        .args(["-H", host])
        .args(args)
        .output()
        .unwrap()
}

/// `docker -H <second engine> args…`, its output lines (for a test that had [`host`] or
/// [`tls_host`] first).
pub fn lines(args: &[&str]) -> Vec<String> {
    let out = docker(&plain_host(), args);
    text(&out.stdout).lines().map(str::to_string).filter(|l| !l.is_empty()).collect()
}

/// The port claims of the state `home` (a `CFN_HOME`) on the second engine: volumes labelled
/// with its instance id.
pub fn claims_of(home: &Path) -> Vec<String> {
    let id = std::fs::read_to_string(home.join("instance-id")).unwrap_or_default();
    if id.trim().is_empty() {
        return Vec::new();
    }
    lines(&["volume", "ls", "-q", "--filter", &format!("label=dev.cfn.port-owner={}", id.trim())])
}

/// Removes from the second engine, when dropped, what the given compose projects left there
/// (containers, volumes, networks) and the given states' port claims.
pub struct Cleanup {
    pub projects: Vec<String>,
    pub homes: Vec<PathBuf>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        crate::stack_harness::remove_projects(|args: &[&str]| lines(args), &self.projects);
        for home in &self.homes {
            for v in claims_of(home) {
                lines(&["volume", "rm", "-f", &v]);
            }
        }
    }
}

/// Removes a container and its network of the same name from the second engine on drop.
struct Remove<'a> {
    host: &'a str,
    name: String,
}

impl Drop for Remove<'_> {
    fn drop(&mut self) {
        docker(self.host, &["rm", "-f", "-v", &self.name]);
        docker(self.host, &["network", "rm", &self.name]);
    }
}

/// The status line of `GET <path>` over HTTP/1.0 at addr:port, or why there is none.
fn http_status(addr: &str, port: u16, path: &str) -> Result<String, String> {
    let to = SocketAddr::new(addr.parse().unwrap(), port);
    let mut stream = TcpStream::connect_timeout(&to, Duration::from_secs(2)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
    stream.write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes()).map_err(|e| e.to_string())?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).map_err(|e| e.to_string())?;
    Ok(text(&reply).lines().next().unwrap_or_default().to_string())
}

#[test]
fn the_second_engine_runs_a_container_reachable_from_the_host() {
    let host = host();
    // A port no other test of the machine publishes meanwhile (the namespace has ports of its
    // own, but other tests' stacks on this engine take theirs from the same blocks).
    let ports = port_block("second_engine");
    let port = ports.base.to_string();
    let name = format!("cfn-test-engine2-{}", std::process::id());
    let _remove = Remove { host: &host, name: name.clone() };

    // No default bridge there (--bridge=none): a container needs a network, as compose makes one.
    let out = docker(&host, &["network", "create", &name]);
    assert!(out.status.success(), "docker network create: {}", text(&out.stderr));
    let publish = format!("{}:{port}:{port}", address());
    let env = format!("PORT={port}");
    let out = docker(
        &host,
        &["run", "-d", "--name", &name, "--network", &name, "-e", &env, "-p", &publish, "cfn-test/app:1"],
    );
    assert!(out.status.success(), "docker run on the second engine: {}", text(&out.stderr));

    // busybox httpd listens within milliseconds; docker-proxy accepts before it does, so retry.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = http_status(address(), ports.base, "/health");
        if status.as_deref().is_ok_and(|s| s.starts_with("HTTP/1.") && s.contains(" 200 ")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "http://{}:{port}/health did not answer 200 from the host within 15 s: {status:?}",
            address()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // The container is the second engine's, not the main one's.
    assert!(!docker_ok(&["container", "inspect", &name]), "{name} exists on the main engine too");
}

#[test]
fn the_tls_port_answers_only_a_client_with_a_certificate_of_its_ca() {
    let host = tls_host();
    let dir = tls_client_dir();
    let out = tls_docker(&host, &["version", "--format", "{{.Server.Version}}"]);
    assert!(out.status.success(), "docker --tlsverify version: {}", text(&out.stderr));
    let mode = std::fs::metadata(dir.join("key.pem")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the client's key is its owner's only");

    // Plain HTTP to the TLS port, and TLS without a client certificate: both refused.
    // (Plain `docker info`: with `--format` the CLI exits 0 on some server errors.)
    let plain = docker(&host, &["info"]);
    assert!(!plain.status.success(), "plain HTTP answered: {}", text(&plain.stdout));
    let ca = dir.join("ca.pem");
    // DOCKER_CERT_PATH of an empty folder: the CLI finds no default client certificate there.
    let empty = tempfile::tempdir().unwrap();
    let anonymous = docker_cli()
        .env("DOCKER_CERT_PATH", empty.path())
        .arg("--tls")
        .arg("--tlscacert")
        .arg(&ca)
        .args(["-H", &host, "info"])
        .output()
        .unwrap();
    assert!(
        !anonymous.status.success(),
        "a client without a certificate got in: {}",
        text(&anonymous.stdout)
    );
    // Both ports are this one dockerd: the same data root (the main engine reports the same ID
    // and name, from the same trust key).
    let root = |out: Output| text(&out.stdout).trim().to_string();
    let args = ["info", "--format", "{{.DockerRootDir}}"];
    let (tls_root, plain_root) = (root(tls_docker(&host, &args)), root(docker(&self::host(), &args)));
    assert!(!tls_root.is_empty() && tls_root == plain_root, "{tls_root:?} vs {plain_root:?}");
}

#[test]
fn the_second_engine_answers_over_ssh() {
    let host = ssh_host();
    assert_eq!(host, format!("ssh://root@{}", address()));
    let home = tempfile::tempdir().unwrap();
    let path = ssh_config_in(home.path());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&home.path().join(".ssh")), 0o700);
    assert_eq!(mode(&home.path().join(".ssh/config")), 0o600);
    assert_eq!(mode(&ssh_client_dir().join("id_ed25519")), 0o600, "the client's key is its owner's only");

    // What a login runs reaches the second engine: its data root, which the main engine's is not.
    let root = |what: &str, out: Output| {
        assert!(out.status.success(), "{what}: {}{}", text(&out.stdout), text(&out.stderr));
        text(&out.stdout).trim().to_string()
    };
    let format = ["info", "--format", "{{.DockerRootDir}}"];
    let second = root("docker -H tcp://…", docker(&plain_host(), &format));
    let main = root("docker (main engine)", docker_cli().args(format).output().unwrap());
    assert_ne!(second, main, "the second engine has a data root of its own");

    // The real ssh, run as cfn runs it, with HOME and PATH from ssh_config_in: the sandbox's
    // config names the key and the known host (BatchMode: a missing one fails, never prompts).
    let dest = format!("root@{}", address());
    let over_ssh = Command::new("ssh")
        .env("HOME", home.path())
        .env("PATH", &path)
        .args(["-T", "--", &dest, "docker"])
        .args(format)
        .output()
        .unwrap();
    assert_eq!(root("ssh … docker info", over_ssh), second);

    // The docker CLI's own ssh transport (`ssh … docker system dial-stdio` per connection, as
    // compose v2 does through it).
    let cli =
        docker_cli().env("HOME", home.path()).env("PATH", &path).args(["-H", &host]).args(format).output();
    assert_eq!(root("docker -H ssh://…", cli.unwrap()), second);

    // Keys only: another key is refused, and a client that would give a password is offered
    // nothing else to try.
    let other = home.path().join("other_key");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&other)
        .output()
        .unwrap();
    assert!(made.status.success(), "ssh-keygen: {}", text(&made.stderr));
    let refused = |extra: &[&str]| {
        let out = engine_ssh_with(&other).args(extra).args(["--", &dest, "true"]).output().unwrap();
        assert!(!out.status.success(), "another key logged in ({extra:?})");
        text(&out.stderr)
    };
    let stderr = refused(&[]);
    assert!(stderr.contains("Permission denied (publickey)"), "{stderr}");
    let stderr = refused(&["-o", "PreferredAuthentications=password,keyboard-interactive"]);
    assert!(stderr.contains("Permission denied (publickey)"), "{stderr}");
}
