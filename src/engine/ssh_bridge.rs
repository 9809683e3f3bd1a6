//! `ssh://` engines, reached the way the docker CLI reaches them: every connection is carried
//! by its own `ssh … -- USER@HOST docker system dial-stdio` on the engine host, whose stdio is
//! the engine's API. bollard speaks HTTP over a unix socket, so cfn listens on one of its own
//! (in a private folder, for this process only) and joins each connection made to it to a
//! fresh ssh. The user's ssh settings (`~/.ssh/config`: keys, known hosts, jump hosts) apply;
//! cfn adds only `BatchMode=yes` (no password prompt under a command that is not interactive).

use super::target::SshDestination;
use crate::process::Cmd;
use anyhow::{Context as _, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::io::AsyncReadExt as _;
use tokio::net::UnixListener;
use tokio::task::JoinHandle;

/// What the bridge's connections share: the ssh processes running (ended with SIGTERM when the
/// bridge goes, so that ssh can end a ProxyCommand of its own), and the last thing an ssh that
/// failed said on stderr (its reason: no route, permission denied, host key).
#[derive(Default)]
struct Shared {
    running: Mutex<HashSet<u32>>,
    last_error: Mutex<Option<String>>,
}

/// A listening bridge; dropping it stops accepting, ends its ssh processes and removes its
/// folder.
pub struct SshBridge {
    dir: PathBuf,
    socket: PathBuf,
    accepting: JoinHandle<()>,
    shared: Arc<Shared>,
}

impl SshBridge {
    /// Starts listening for `destination`.
    pub fn open(destination: &SshDestination) -> Result<SshBridge> {
        if !crate::process::on_path("ssh") {
            anyhow::bail!("ssh is not installed (an ssh:// engine is reached through it)");
        }
        sweep_dead_bridges();
        let dir = private_dir()?;
        let socket = dir.join("engine.sock");
        let listener =
            UnixListener::bind(&socket).with_context(|| format!("cannot listen on {}", socket.display()))?;
        let destination = destination.clone();
        let shared = Arc::new(Shared::default());
        let for_connections = shared.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let destination = destination.clone();
                let shared = for_connections.clone();
                tokio::spawn(async move { carry(stream, &destination, &shared).await });
            }
        });
        Ok(SshBridge { dir, socket, accepting, shared })
    }

    /// What the last ssh that failed said, if one did.
    pub fn last_error(&self) -> Option<String> {
        self.shared.last_error.lock().ok()?.clone()
    }

    /// The socket bollard connects to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }
}

impl Drop for SshBridge {
    fn drop(&mut self) {
        self.accepting.abort();
        if let Ok(running) = self.shared.running.lock() {
            for &pid in running.iter() {
                terminate(pid);
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// SIGTERM to one of the bridge's ssh processes (ssh then ends its ProxyCommand too; a
/// SIGKILL would leave that running).
fn terminate(pid: u32) {
    if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
}

/// The ssh command for one connection: argv only, the destination after `--` so that it can
/// never be read as an option.
pub fn command(destination: &SshDestination) -> Cmd {
    let mut cmd = Cmd::new("ssh").args(["-o", "BatchMode=yes", "-T"]);
    if let Some(port) = destination.port {
        cmd = cmd.arg("-p").arg(port.to_string());
    }
    cmd.arg("--").arg(destination.user_at_host()).args(["docker", "system", "dial-stdio"])
}

/// Joins one connection to a fresh `ssh … docker system dial-stdio` until either side ends.
async fn carry(mut stream: tokio::net::UnixStream, destination: &SshDestination, shared: &Shared) {
    let Ok(mut child) = command(destination).spawn_stdio() else { return };
    let pid = child.id();
    if let (Some(pid), Ok(mut running)) = (pid, shared.running.lock()) {
        running.insert(pid);
    }
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return;
    };
    // ssh says little, and only when it fails; read to the end so that it never blocks on it.
    let said = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let (mut read, mut write) = stream.split();
    // The client closing its side ends ssh's input; the connection ends when ssh's output does
    // (the engine answered and closed, or ssh died: the client then sees the end at once).
    let up = async {
        let _ = tokio::io::copy(&mut read, &mut stdin).await;
        drop(stdin);
        std::future::pending::<()>().await
    };
    let down = tokio::io::copy(&mut stdout, &mut write);
    let carried = tokio::select! {
        copied = down => copied.unwrap_or(0),
        () = up => 0,
    };
    if let Some(pid) = pid {
        terminate(pid);
        if let Ok(mut running) = shared.running.lock() {
            running.remove(&pid);
        }
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), child.wait()).await;
    if carried == 0 {
        if let Ok(Ok(text)) = tokio::time::timeout(std::time::Duration::from_secs(1), said).await {
            let line =
                text.lines().rev().find(|l| !l.trim().is_empty()).map(|l| crate::names::printable(l.trim()));
            if let (Some(line), Ok(mut last)) = (line, shared.last_error.lock()) {
                *last = Some(line.into_owned());
            }
        }
    }
}

/// Removes the folders of bridges whose cfn was killed: this user's `cfn-ssh-*` whose socket
/// nobody listens on any more.
fn sweep_dead_bridges() {
    use std::os::unix::fs::MetadataExt as _;
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    let me = rustix::process::geteuid().as_raw();
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with("cfn-ssh-") {
            continue;
        }
        let dir = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&dir) else { continue };
        if !meta.is_dir() || meta.uid() != me {
            continue;
        }
        let dead = match std::os::unix::net::UnixStream::connect(dir.join("engine.sock")) {
            Ok(_) => false,
            Err(e) => {
                matches!(e.kind(), std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound)
            }
        };
        if dead {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// A new folder only this user can enter, for the bridge's socket.
fn private_dir() -> Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt as _;
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("cannot read random bytes: {e}"))?;
        let dir = base.join(format!("cfn-ssh-{}", crate::names::hex(&bytes)));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 99 => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", dir.display())),
        }
    }
    unreachable!("the loop returns")
}
