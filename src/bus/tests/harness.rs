//! A real `redis-server` per test: a free port, no persistence, killed on drop. When the binary
//! is missing the test is skipped with a note, except under `CI=true`, where that is a failure.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::bus::{Bus, EmbeddedBus, RedisBus};

pub struct RedisServer {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts a server with extra arguments (`--requirepass`, `--user` ACL lines...).
    pub fn start(extra: &[&str]) -> Option<RedisServer> {
        RedisServer::start_with(extra, false)
    }

    /// Starts a TLS-only server: `tls` holds `--tls-cert-file` and friends.
    #[cfg(feature = "tls")]
    pub fn start_tls(tls: &[&str]) -> Option<RedisServer> {
        RedisServer::start_with(tls, true)
    }

    fn start_with(extra: &[&str], tls: bool) -> Option<RedisServer> {
        for _attempt in 0..5 {
            let port =
                TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
            let dir = tempfile::tempdir().expect("a temp dir");
            let (plain, secure) = if tls { (0, port) } else { (port, 0) };
            let spawned = Command::new("redis-server")
                .args(["--port", &plain.to_string(), "--tls-port", &secure.to_string()])
                .args(["--bind", "127.0.0.1", "--save", ""])
                .args(["--appendonly", "no", "--protected-mode", "no"])
                .arg("--dir")
                .arg(dir.path())
                .args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let child = match spawned {
                Ok(child) => child,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return missing(),
                Err(e) => panic!("cannot start redis-server: {e}"),
            };
            let mut server = RedisServer { child, port, _dir: dir };
            if server.ready(tls) {
                return Some(server);
            }
        }
        panic!("redis-server did not start on a free port in 5 attempts");
    }

    fn ready(&mut self, tls: bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return false; // port taken meanwhile: try another
            }
            if tls && TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                std::thread::sleep(Duration::from_millis(100));
                return matches!(self.child.try_wait(), Ok(None));
            }
            if !tls && self.answers() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// True when the server answers a PING (a login error is an answer too): a bare TCP
    /// connect is not enough, the server may still exit on a bad configuration.
    fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut reply = [0u8; 1];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && matches!(reply[0], b'+' | b'-')
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    pub fn url_as(&self, user: &str, password: &str) -> String {
        format!("redis://{user}:{password}@127.0.0.1:{}/0", self.port)
    }

    pub async fn bus(&self) -> Bus {
        Bus::Redis(RedisBus::connect(&self.url()).await.expect("connect to the test server"))
    }

    /// A plain connection for inspecting the server behind the bus's back.
    pub async fn raw(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .expect("test url")
            .get_multiplexed_async_connection()
            .await
            .expect("raw connection")
    }

    /// Waits until `n` clients are blocked in a command, so a test sends only to real waiters.
    pub async fn until_blocked(&self, n: usize) {
        let mut conn = self.raw().await;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let info: String = redis::cmd("INFO").arg("clients").query_async(&mut conn).await.expect("info");
            let blocked = info
                .lines()
                .find_map(|l| l.strip_prefix("blocked_clients:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if blocked >= n {
                return;
            }
            assert!(Instant::now() < deadline, "only {blocked} of {n} clients blocked");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn missing() -> Option<RedisServer> {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("redis-server is not installed: the bus tests need it under CI=true");
    }
    // Written to stderr directly: the test harness would swallow an eprintln! of a passing test.
    let _ = writeln!(std::io::stderr(), "note: redis-server not found on PATH; skipping a redis bus test");
    None
}

/// What a behaviour test runs against, and how it knows its waiters are blocked.
pub enum Env {
    Redis(RedisServer),
    Embedded(tempfile::TempDir),
}

impl Env {
    pub async fn redis() -> Option<(Bus, Env)> {
        let server = RedisServer::start(&[])?;
        Some((server.bus().await, Env::Redis(server)))
    }

    pub async fn embedded() -> (Bus, Env) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let bus =
            EmbeddedBus::open(&dir.path().join(".cfn/bus.sqlite")).await.expect("open the embedded bus");
        (Bus::Embedded(bus), Env::Embedded(dir))
    }

    /// Returns once `n` waiters are blocked (Redis: counted by the server; embedded: waiters
    /// poll, so a short pause is enough).
    pub async fn settle(&self, n: usize) {
        match self {
            Env::Redis(server) => server.until_blocked(n).await,
            Env::Embedded(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}
