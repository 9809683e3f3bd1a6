//! The background proxy: `cfn proxy start` runs `cfn proxy --detached` in a process group of its
//! own, with its output in `$CFN_HOME/proxy.log`; `cfn proxy stop` ends it; `cfn proxy status`
//! and `[proxy] auto` ask whether it runs.
//!
//! The detached proxy writes `$CFN_HOME/proxy.pid` itself, atomically, once it listens, and
//! removes it when it ends. A pid file therefore never names a proxy that did not start, and a
//! `cfn proxy start` killed at any step leaves either nothing or a proxy that says who it is.
//! A proxy killed outright leaves its pid file: the file records the process's start time
//! (from `/proc/<pid>/stat`), and one whose process is gone, or whose pid now belongs to another
//! program, is stale — ignored and removed by the next `start`, `stop` or `status`.
//!
//! `start` and `stop` hold `$CFN_HOME/proxy.lock` (an OS file lock, released however its holder
//! dies), so two of them never race to start two proxies or to remove a fresh pid file.

use crate::error::UserError;
use anyhow::{Context as _, Result};
use serde::Serialize;
use std::fs::File;
use std::io::{BufRead as _, BufReader, Seek as _, SeekFrom};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long `start` waits for the detached proxy to answer.
const START_WAIT: Duration = Duration::from_secs(10);
/// How long `stop` waits after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The background proxy, as its pid file describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Running {
    pub pid: i32,
    pub port: u16,
    pub bind: IpAddr,
    /// It serves HTTPS too (`--tls`).
    pub tls: bool,
    /// The process's start time in clock ticks since boot: a pid reused by another program has
    /// another one.
    #[serde(skip)]
    started: u64,
}

impl Running {
    /// Where a client on this machine reaches it.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(reachable(self.bind), self.port)
    }
}

/// What `start` did.
pub enum Started {
    /// It was already running: nothing was done.
    Already(Running),
    New(Running),
}

/// What `stop` did.
pub enum Stopped {
    /// None ran (a stale pid file, if any, was removed).
    NotRunning,
    /// Stopped; `killed` when it needed SIGKILL.
    Stopped { running: Running, killed: bool },
}

pub fn pid_path(home: &Path) -> PathBuf {
    home.join("proxy.pid")
}

pub fn log_path(home: &Path) -> PathBuf {
    home.join("proxy.log")
}

/// The background proxy if it runs. A stale pid file is removed.
pub fn running(home: &Path) -> Result<Option<Running>> {
    let _lock = lock(home)?;
    current(home)
}

/// Starts the background proxy on `bind:port` (with HTTPS too when `tls`) unless it already runs
/// (on whatever port).
pub async fn start(home: &Path, port: u16, bind: IpAddr, tls: bool) -> Result<Started> {
    let _lock = lock(home)?;
    if let Some(running) = current(home)? {
        return Ok(Started::Already(running));
    }
    // Checked here, so a taken port is this command's error and not a line in the log.
    drop(
        std::net::TcpListener::bind((bind, port))
            .map_err(|e| listen_error(SocketAddr::new(bind, port), e))?,
    );
    if tls {
        // Here, so a damaged CA is this command's error, and its first use is not a race of the
        // detached proxy against the command that waits for it.
        super::ca::load_or_create(home)?;
    }
    let log = open_log(home)?;
    let exe = std::env::current_exe().context("cannot find the cfn program to start")?;
    let port_arg = port.to_string();
    let bind_arg = bind.to_string();
    let mut args = vec!["proxy", "--detached", "--port", &port_arg, "--bind", &bind_arg];
    if tls {
        args.push("--tls");
    }
    let mut child = crate::process::Cmd::new(exe)
        .args(args)
        .env("CFN_HOME", home)
        // Not in a checkout: the proxy must not keep a worktree's folder busy.
        .cwd(home)
        .spawn_detached(log)
        .context("cannot start the background proxy")?;
    crate::crash_point::reached("proxy-start", 1);
    let deadline = Instant::now() + START_WAIT;
    loop {
        if let Some(status) = child.try_wait()? {
            return Err(UserError::new(format!(
                "the background proxy stopped at once ({status}): {}",
                last_line(home)
            ))
            .hint(format!("its output is in {}", log_path(home).display()))
            .into());
        }
        if let Some(running) = read(home).filter(|r| r.pid == child.id() as i32) {
            if super::probe(running.addr()).await {
                return Ok(Started::New(running));
            }
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(UserError::new(format!("the background proxy did not answer within {START_WAIT:?}"))
                .hint(format!("its output is in {}", log_path(home).display()))
                .into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Stops the background proxy: SIGTERM, then SIGKILL after [`STOP_GRACE`].
pub fn stop(home: &Path) -> Result<Stopped> {
    let _lock = lock(home)?;
    let Some(running) = current(home)? else { return Ok(Stopped::NotRunning) };
    let killed = if signal_and_wait(&running, rustix::process::Signal::TERM, STOP_GRACE) {
        false
    } else if signal_and_wait(&running, rustix::process::Signal::KILL, Duration::from_secs(5)) {
        true
    } else {
        return Err(UserError::new(format!("the background proxy (pid {}) does not stop", running.pid))
            .hint(format!("`kill -KILL {}`, then `cfn proxy stop` again", running.pid))
            .into());
    };
    remove_if_names(home, running.pid);
    Ok(Stopped::Stopped { running, killed })
}

/// Called by the detached proxy once it listens: records itself in the pid file.
pub fn record_self(home: &Path, port: u16, bind: IpAddr, tls: bool) -> Result<()> {
    let pid = std::process::id() as i32;
    let started = start_time(pid).context("cannot read this process's start time")?;
    let text = format!("pid={pid}\nport={port}\nbind={bind}\ntls={tls}\nstarted={started}\n");
    crate::render::write_atomic(&pid_path(home), &text, 0o600)?;
    Ok(())
}

/// Called by the detached proxy as it ends.
pub fn forget_self(home: &Path) {
    remove_if_names(home, std::process::id() as i32);
}

/// The error for a port the proxy cannot listen on, with what to do.
pub fn listen_error(addr: SocketAddr, e: std::io::Error) -> anyhow::Error {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "another program listens on port {}: `cfn proxy status --port {}` says whether it is a cfn proxy; \
             pick another with `--port` (and `[proxy] port` in cfn.toml so the hostname URLs follow)",
            addr.port(),
            addr.port()
        ),
        std::io::ErrorKind::PermissionDenied => "ports below 1024 need privileges: pick one above with `--port`".into(),
        _ => "pass `--bind` an address of this machine (127.0.0.1 by default)".into(),
    };
    UserError::new(format!("cannot listen on {addr}: {e}")).hint(hint).into()
}

/// The pid file's proxy if it still runs; a stale file is removed. Call with the lock held.
fn current(home: &Path) -> Result<Option<Running>> {
    let path = pid_path(home);
    if !path.exists() {
        return Ok(None);
    }
    match read(home) {
        Some(running) if alive(&running) => Ok(Some(running)),
        _ => {
            std::fs::remove_file(&path)
                .or_else(|e| if e.kind() == std::io::ErrorKind::NotFound { Ok(()) } else { Err(e) })
                .with_context(|| format!("cannot remove the stale {}", path.display()))?;
            Ok(None)
        }
    }
}

fn read(home: &Path) -> Option<Running> {
    let text = std::fs::read_to_string(pid_path(home)).ok()?;
    let field = |name: &str| {
        text.lines().find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix('='))).map(str::trim)
    };
    Some(Running {
        pid: field("pid")?.parse().ok().filter(|p| *p > 0)?,
        port: field("port")?.parse().ok()?,
        bind: field("bind")?.parse().ok()?,
        // (absent from the pid file of a proxy started before TLS existed)
        tls: field("tls") == Some("true"),
        started: field("started")?.parse().ok()?,
    })
}

/// Whether the pid file's process still runs and is a detached cfn proxy: same start time (a
/// reused pid has another), not a zombie, started as `proxy --detached`.
fn alive(running: &Running) -> bool {
    if start_time(running.pid) != Some(running.started) {
        return false;
    }
    let Ok(cmdline) = std::fs::read(format!("/proc/{}/cmdline", running.pid)) else { return false };
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    args.contains(&&b"proxy"[..]) && args.contains(&&b"--detached"[..])
}

/// `process::start_time` of a pid as the pid file records it.
fn start_time(pid: i32) -> Option<u64> {
    crate::process::start_time(u32::try_from(pid).ok()?)
}

/// Sends `signal` and waits up to `wait` for the process to be gone.
fn signal_and_wait(running: &Running, signal: rustix::process::Signal, wait: Duration) -> bool {
    if let Some(pid) = rustix::process::Pid::from_raw(running.pid) {
        let _ = rustix::process::kill_process(pid, signal);
    }
    let deadline = Instant::now() + wait;
    while alive(running) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

fn remove_if_names(home: &Path, pid: i32) {
    if read(home).is_some_and(|r| r.pid == pid) {
        let _ = std::fs::remove_file(pid_path(home));
    }
}

/// `$CFN_HOME/proxy.lock`, held exclusively until dropped.
fn lock(home: &Path) -> Result<File> {
    std::fs::create_dir_all(home).with_context(|| format!("cannot create {}", home.display()))?;
    let path = home.join("proxy.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(file)
}

/// The log, appended to, private (requests' hosts and errors are the user's business).
fn open_log(home: &Path) -> Result<File> {
    let path = log_path(home);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

/// The log's last line, for an error.
fn last_line(home: &Path) -> String {
    let Ok(mut file) = File::open(log_path(home)) else { return String::new() };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(4096)));
    let lines = BufReader::new(file).lines().map_while(Result::ok);
    lines.filter(|l| !l.trim().is_empty()).last().unwrap_or_default()
}

/// The address a client on this machine uses for a proxy listening on `bind`.
fn reachable(bind: IpAddr) -> IpAddr {
    match bind {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_start_time_and_a_gone_one_none() {
        let me = std::process::id() as i32;
        assert!(start_time(me).is_some());
        let running =
            Running { pid: me, port: 1, bind: IpAddr::V4(Ipv4Addr::LOCALHOST), tls: false, started: 0 };
        assert!(!alive(&running), "another start time is another process");
        let running = Running { started: start_time(me).unwrap(), ..running };
        assert!(!alive(&running), "this test is no `cfn proxy --detached`");
    }

    #[test]
    fn a_pid_file_is_read_back_and_garbage_is_no_proxy() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(pid_path(dir.path()), "pid=12\nport=7355\nbind=127.0.0.1\nstarted=99\n").unwrap();
        let running = read(dir.path()).unwrap();
        assert_eq!((running.pid, running.port, running.started), (12, 7355, 99));
        std::fs::write(pid_path(dir.path()), "pid=-1\nport=7355\nbind=127.0.0.1\nstarted=99\n").unwrap();
        assert!(read(dir.path()).is_none());
        std::fs::write(pid_path(dir.path()), "garbage").unwrap();
        assert!(running_in(dir.path()).is_none());
        assert!(!pid_path(dir.path()).exists(), "a stale pid file is removed");
    }

    fn running_in(home: &Path) -> Option<Running> {
        running(home).unwrap()
    }
}
