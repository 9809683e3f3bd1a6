//! Throwaway PostgreSQL and Redis servers for tests, started by the tests themselves.
//!
//! A missing binary skips the test with a note on stderr, except under `CI=true`, where it
//! fails it. Every server runs under a small `sh` watchdog that holds a pipe from the test
//! process: when the handle drops, or the test process exits in any way (a panic, Ctrl-C,
//! `kill -9`), the pipe closes and the watchdog stops the server and deletes its directory,
//! so no server outlives its tests.
//!
//! PostgreSQL: initdb takes seconds, so each test process starts one cluster (on a free port
//! of 127.0.0.1, `fsync=off`) and every [`TestPostgres`] is a fresh database in it, dropped
//! with the handle; advisory locks are per database, so tests do not see each other's locks.
//! The superuser `postgres` needs no password over the Unix socket and [`PASSWORD`] over
//! TCP. PostgreSQL refuses to run as root: as root, initdb and the server run through
//! `runuser` as `postgres` (or a `cfn-test` system user, created if neither exists).
//! Redis: one `redis-server` per [`TestRedis`], without persistence.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use std::{env, fs};

mod postgres;

pub(crate) use postgres::TestPostgres;

/// The password of PostgreSQL's `postgres` and of Redis's default user.
pub(crate) const PASSWORD: &str = "secret";

/// Runs `$3…` in the background with `$2` as its directory; when stdin closes, sends it
/// signal `$1`, waits for it to exit and deletes `$2`. Exits when the server exits.
const WATCHDOG: &str = r#"exec 3<&0
sig=$1; dir=$2; shift 2
"$@" 3<&- </dev/null >>"$dir/log" 2>&1 &
pid=$!
{ cat <&3 >/dev/null; kill -$sig $pid 2>/dev/null
  while kill -0 $pid 2>/dev/null; do sleep 0.1; done; rm -rf "$dir"; } &
wait $pid"#;

/// `None` (skip) when `what` is missing, or a panic under `CI=true`.
pub(super) fn missing<T>(what: &str) -> Option<T> {
    if env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is required to run this test under CI=true");
    }
    eprintln!("note: skipping this test: {what} is not installed");
    None
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub(super) fn on_path(program: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?).map(|dir| dir.join(program)).find(|p| p.is_file())
}

pub(super) fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A directory in the temporary directory, owned by `user`, that no `TempDir` deletes.
pub(super) fn scratch_dir(prefix: &str, user: Option<&str>) -> PathBuf {
    let dir = tempfile::Builder::new().prefix(prefix).tempdir().unwrap().keep();
    if let Some(user) = user {
        let id = |flag| output("id", &[flag, user]).and_then(|s| s.parse().ok());
        std::os::unix::fs::chown(&dir, id("-u"), id("-g")).unwrap();
    }
    dir
}

/// `program args…` as `user` (through `runuser`) when set.
pub(super) fn command_as(user: Option<&str>, program: &Path) -> Command {
    match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// A server under the [`WATCHDOG`]; dropping it stops the server.
pub(super) struct Watched {
    sh: Child,
    dir: PathBuf,
}

impl Watched {
    pub fn start(user: Option<&str>, signal: &str, dir: &Path, server: &Path, args: &[&str]) -> Watched {
        let mut command = command_as(user, Path::new("/bin/sh"));
        command.args(["-c", WATCHDOG, "sh", signal]).arg(dir).arg(server).args(args);
        let sh = command.current_dir(dir).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
        Watched { sh: sh.spawn().unwrap(), dir: dir.to_path_buf() }
    }

    /// Waits until `ready`, or fails with the server's log if it exits or 30 s pass.
    pub fn wait_until(&mut self, what: &str, ready: impl Fn() -> bool) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && self.sh.try_wait().unwrap().is_none() {
            if ready() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let log = fs::read_to_string(self.dir.join("log")).unwrap_or_default();
        Err(format!("{what} did not start:\n{log}"))
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        drop(self.sh.stdin.take());
        let _ = self.sh.wait();
    }
}

pub(super) fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `redis-server` with the default user's password [`PASSWORD`] and a user `alice` whose
/// password is `wonderland`; stopped when dropped.
pub(crate) struct TestRedis {
    pub port: u16,
    _server: Watched,
}

impl TestRedis {
    pub fn start() -> Option<TestRedis> {
        let Some(server) = on_path("redis-server") else { return missing("redis-server") };
        let mut errors = Vec::new();
        for _ in 0..3 {
            let dir = scratch_dir("cfn-test-redis-", None);
            let port = free_port().to_string();
            let args = [
                "--port",
                &port,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                path(&dir),
            ];
            let acl =
                ["--requirepass", PASSWORD, "--user", "alice", "on", ">wonderland", "~*", "&*", "+@all"];
            let args: Vec<&str> = args.into_iter().chain(acl).collect();
            let mut watched = Watched::start(None, "TERM", &dir, &server, &args);
            let port: u16 = port.parse().unwrap();
            match watched.wait_until("redis-server", || answers_ping(port)) {
                Ok(()) => return Some(TestRedis { port, _server: watched }),
                Err(log) => errors.push(log),
            }
        }
        panic!("{}", errors.join("\n"));
    }

    /// `redis://<userinfo>@127.0.0.1:<port>`, or without userinfo when it is empty.
    pub fn url(&self, userinfo: &str) -> String {
        match userinfo {
            "" => format!("redis://127.0.0.1:{}", self.port),
            _ => format!("redis://{userinfo}@127.0.0.1:{}", self.port),
        }
    }
}

/// Whether a server on `port` answers `PING` (with `+PONG` or an authentication error).
fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = [0u8; 1];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && matches!(reply[0], b'+' | b'-')
}
