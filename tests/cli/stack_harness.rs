//! Helpers for tests on the real Docker engine: the engine and test images must be there
//! (scripts/setup-test.sh provides them; under CI a missing one fails the test), and every
//! resource a test creates is removed when it ends, even when it fails.

use crate::harness::*;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

pub const V1: &str = "docker-compose";
pub const V2: &str = "docker compose";

pub const IMAGES: &[&str] = &["cfn-test/redis:1", "cfn-test/postgres:1", "cfn-test/app:1"];

/// Whether the engine answers and the test images exist (panics under CI when not).
pub fn engine_ready(compose: &str) -> bool {
    let docker = std::process::Command::new("docker").args(["info"]).output().map(|o| o.status.success());
    if !require(docker.unwrap_or(false), "a Docker engine") {
        return false;
    }
    let images = IMAGES.iter().all(|i| docker_ok(&["image", "inspect", i]));
    if !require(images, "the cfn-test images (scripts/build-test-images.sh)") {
        return false;
    }
    let program: Vec<&str> = compose.split(' ').collect();
    require(compose_available(&program), compose)
}

pub fn docker_ok(args: &[&str]) -> bool {
    std::process::Command::new("docker").args(args).output().map(|o| o.status.success()).unwrap_or(false)
}

pub fn docker_lines(args: &[&str]) -> Vec<String> {
    let out = std::process::Command::new("docker").args(args).output().unwrap();
    text(&out.stdout).lines().map(str::to_string).filter(|l| !l.is_empty()).collect()
}

/// Removes every container, volume and network of the given compose projects on drop.
pub struct Cleanup(pub Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        remove_projects(|args: &[&str]| docker_lines(args), &self.0);
    }
}

/// Removes every container, volume and network of `projects` through `docker` (a docker CLI
/// run on the engine in question, returning its output lines).
pub fn remove_projects(docker: impl Fn(&[&str]) -> Vec<String>, projects: &[String]) {
    for project in projects {
        let label = format!("label=com.docker.compose.project={project}");
        for id in docker(&["ps", "-aq", "--filter", &label]) {
            docker(&["rm", "-f", "-v", &id]);
        }
        for v in docker(&["volume", "ls", "-q", "--filter", &label]) {
            docker(&["volume", "rm", "-f", &v]);
        }
        for n in docker(&["network", "ls", "-q", "--filter", &label]) {
            docker(&["network", "rm", &n]);
        }
    }
}

/// A Redis command over RESP on 127.0.0.1:port; returns the raw reply.
pub fn redis(port: u16, args: &[&str]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut req = format!("*{}\r\n", args.len());
    for a in args {
        req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    stream.write_all(req.as_bytes()).unwrap();
    let mut buf = [0u8; 512];
    let n = stream.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// A block of 200 host ports (20000–32599, below Linux's ephemeral range, so no outgoing
/// connection or `bind(0)` listener of another test can hold one of them) that this test holds
/// for as long as the value lives. Tests run in parallel with registries of their own: two of
/// them starting at one base (or at bases ten apart, as the offset scheme's slots are) would lease
/// one port between their bind probes and their `up`s. A lock file per block in the temporary
/// directory keeps every block to one test of the machine at a time; the name only picks where
/// the search starts.
pub struct PortBlock {
    pub base: u16,
    _lock: std::fs::File,
}

const BLOCK_FIRST: u16 = 20_000;
const BLOCK_WIDTH: u16 = 200;
const BLOCKS: u16 = 63;

pub fn port_block(name: &str) -> PortBlock {
    let dir = std::env::temp_dir().join("cfn-test-port-blocks");
    std::fs::create_dir_all(&dir).unwrap();
    let start = name.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into())) % u32::from(BLOCKS);
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    loop {
        for i in 0..BLOCKS {
            let block = (start as u16 + i) % BLOCKS;
            let file = std::fs::File::create(dir.join(format!("{block}.lock"))).unwrap();
            if file.try_lock().is_ok() {
                return PortBlock { base: BLOCK_FIRST + block * BLOCK_WIDTH, _lock: file };
            }
        }
        assert!(std::time::Instant::now() < deadline, "no free test port block in {}", dir.display());
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits (up to 15 s) until the Redis on `port` answers PING: a container started again without
/// a health check is "running" before the server listens, and the engine's port proxy accepts
/// and closes connections meanwhile.
pub fn wait_redis(port: u16) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let answer = TcpStream::connect(("127.0.0.1", port)).ok().and_then(|mut s| {
            s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
            s.write_all(b"*1\r\n$4\r\nPING\r\n").ok()?;
            let mut buf = [0u8; 64];
            let n = s.read(&mut buf).ok()?;
            Some(String::from_utf8_lossy(&buf[..n]).into_owned())
        });
        if answer.is_some_and(|a| a.starts_with("+PONG")) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "redis on {port} does not answer PING");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `psql` against 127.0.0.1:port as user postgres; returns stdout (unaligned, tuples only).
pub fn psql(port: u16, db: &str, sql: &str) -> String {
    let out = std::process::Command::new("psql")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres", "-d", db, "-Atc", sql])
        .env("PGPASSWORD", "secret")
        .output()
        .unwrap();
    assert!(out.status.success(), "psql {sql}: {}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

/// `cfn` with the compose program chosen.
pub fn cfn_with(sb: &Sandbox, dir: &Path, compose: &str, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = sb.cfn(dir, args);
    cmd.env("CFN_COMPOSE", compose);
    cmd
}

pub fn volumes_of(project: &str) -> Vec<String> {
    docker_lines(&["volume", "ls", "-q", "--filter", &format!("label=com.docker.compose.project={project}")])
}

pub fn containers_of(project: &str) -> Vec<String> {
    docker_lines(&["ps", "-aq", "--filter", &format!("label=com.docker.compose.project={project}")])
}

pub fn networks_of(project: &str) -> Vec<String> {
    docker_lines(&["network", "ls", "-q", "--filter", &format!("label=com.docker.compose.project={project}")])
}
