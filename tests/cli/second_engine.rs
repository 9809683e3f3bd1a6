//! The second Docker engine, for the tests of remote engines (`tcp://`): a dockerd in the network
//! namespace cfn-engine2, reached from the host over a veth pair at tcp://10.231.0.2:2375 (plain
//! TCP) and tcp://10.231.0.2:2376 (TLS, a client certificate required), with copies of the
//! cfn-test images (scripts/second-engine.sh; scripts/setup-test.sh runs its `up`). Its
//! containers publish their ports on 10.231.0.2, where the host reaches them as it would a remote
//! machine's; nothing of it listens on the host's own addresses.

use crate::harness::text;
use crate::stack_harness::{docker_ok, port_block};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const PORT: u16 = 2375;
const TLS_PORT: u16 = 2376;
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
    static UP: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(e) = UP.get_or_init(up) {
        panic!("the second Docker engine ({plain}, {tls}) is not available: {e}");
    }
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
        for project in &self.projects {
            let label = format!("label=com.docker.compose.project={project}");
            for id in lines(&["ps", "-aq", "--filter", &label]) {
                lines(&["rm", "-f", "-v", &id]);
            }
            for v in lines(&["volume", "ls", "-q", "--filter", &label]) {
                lines(&["volume", "rm", "-f", &v]);
            }
            for n in lines(&["network", "ls", "-q", "--filter", &label]) {
                lines(&["network", "rm", &n]);
            }
        }
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
    use std::os::unix::fs::PermissionsExt as _;
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
