//! The second Docker engine, for the tests of remote engines (`tcp://`): a dockerd in the network
//! namespace cfn-engine2, reached from the host over a veth pair at tcp://10.231.0.2:2375, with
//! copies of the cfn-test images (scripts/second-engine.sh; scripts/setup-test.sh runs its `up`).
//! Its containers publish their ports on 10.231.0.2, where the host reaches them as it would a
//! remote machine's; nothing of it listens on the host's own addresses.

use crate::harness::text;
use crate::stack_harness::{docker_ok, port_block};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const PORT: u16 = 2375;
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
    let host = format!("tcp://{}:{PORT}", address());
    if answers(&host) {
        return host;
    }
    static UP: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(e) = UP.get_or_init(up) {
        panic!("the second Docker engine ({host}) is not available: {e}");
    }
    assert!(
        answers(&host),
        "the second Docker engine ({host}) does not answer `docker info`, although `{SCRIPT} up` succeeded"
    );
    host
}

/// Whether the engine answers `docker info`. A TCP connection comes first, with a short timeout:
/// without the namespace's veth the address goes to the default route, where it may hang (or,
/// in some sandboxes, reach a proxy that answers any HTTP request with 404). Plain `docker info`:
/// with `--format` the CLI exits 0 even when the server's answer is an error.
fn answers(host: &str) -> bool {
    let api = SocketAddr::new(address().parse().unwrap(), PORT);
    TcpStream::connect_timeout(&api, Duration::from_secs(2)).is_ok()
        && docker(host, &["info"]).status.success()
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

/// `docker -H <host> <args>`.
pub fn docker(host: &str, args: &[&str]) -> Output {
    Command::new("docker").args(["-H", host]).args(args).output().unwrap()
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
