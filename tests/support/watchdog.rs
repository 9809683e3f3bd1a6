//! A server process that cannot outlive its test. Every server runs under a small `sh`
//! watchdog that holds a pipe from the test process: when the handle drops, or the test
//! process exits in any way (a panic, Ctrl-C, `kill -9`), the pipe closes and the watchdog
//! stops the server and deletes its directory.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use std::{env, fs};

/// Runs `$3…` in the background with `$2` as its directory; when stdin closes, sends it
/// signal `$1`, waits for it to exit and deletes `$2`. Exits when the server exits.
const WATCHDOG: &str = r#"exec 3<&0
sig=$1; dir=$2; shift 2
"$@" 3<&- </dev/null >>"$dir/log" 2>&1 &
pid=$!
{ cat <&3 >/dev/null; kill -$sig $pid 2>/dev/null
  while kill -0 $pid 2>/dev/null; do sleep 0.1; done; rm -rf "$dir"; } &
wait $pid"#;

/// A port of 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `program` in a directory of `PATH`.
pub fn on_path(program: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?).map(|dir| dir.join(program)).find(|p| p.is_file())
}

/// The trimmed stdout of `program args…` when it succeeds.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A directory in the temporary directory, owned by `user`, that no `TempDir` deletes (the
/// watchdog does).
pub fn scratch_dir(prefix: &str, user: Option<&str>) -> PathBuf {
    let dir = tempfile::Builder::new().prefix(prefix).tempdir().unwrap().keep();
    if let Some(user) = user {
        let id = |flag| output("id", &[flag, user]).and_then(|s| s.parse().ok());
        std::os::unix::fs::chown(&dir, id("-u"), id("-g")).unwrap();
    }
    dir
}

/// `program args…` as `user` (through `runuser`) when set.
pub fn command_as(user: Option<&str>, program: &Path) -> Command {
    match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A server under the [`WATCHDOG`]; dropping it stops the server and waits until it is gone.
pub struct Watched {
    sh: Child,
    dir: PathBuf,
}

impl Watched {
    /// Starts `server args…` as `user` in `dir`, stopped with `signal` (`TERM`, `INT`...).
    pub fn start(user: Option<&str>, signal: &str, dir: &Path, server: &Path, args: &[&str]) -> Watched {
        let mut command = command_as(user, Path::new("/bin/sh"));
        command.args(["-c", WATCHDOG, "sh", signal]).arg(dir).arg(server).args(args);
        let sh = command.current_dir(dir).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
        Watched { sh: sh.spawn().unwrap(), dir: dir.to_path_buf() }
    }

    /// Whether the server still runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.sh.try_wait(), Ok(None))
    }

    /// Waits until `ready`, or fails with the server's log if it exits or 30 s pass.
    pub fn wait_until(&mut self, what: &str, ready: impl Fn() -> bool) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && self.alive() {
            if ready() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
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
