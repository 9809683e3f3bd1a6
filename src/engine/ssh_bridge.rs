//! `ssh://` engines, reached the way the docker CLI reaches them: every connection is carried
//! by its own `ssh … -- USER@HOST docker system dial-stdio` on the engine host, whose stdio is
//! the engine's API. bollard speaks HTTP over a unix socket, so cfn listens on one of its own
//! (in a private folder, for this process only) and joins each connection made to it to a
//! fresh ssh. The user's ssh settings (`~/.ssh/config`: keys, known hosts, jump hosts) apply;
//! cfn adds only `BatchMode=yes` (no password prompt under a command that is not interactive).

use super::target::SshDestination;
use crate::process::Cmd;
use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};
use tokio::net::UnixListener;
use tokio::task::JoinHandle;

/// A listening bridge; dropping it stops accepting and removes its folder.
pub struct SshBridge {
    dir: PathBuf,
    socket: PathBuf,
    accepting: JoinHandle<()>,
}

impl SshBridge {
    /// Starts listening for `destination`.
    pub fn open(destination: &SshDestination) -> Result<SshBridge> {
        if !crate::process::on_path("ssh") {
            anyhow::bail!("ssh is not installed (an ssh:// engine is reached through it)");
        }
        let dir = private_dir()?;
        let socket = dir.join("engine.sock");
        let listener =
            UnixListener::bind(&socket).with_context(|| format!("cannot listen on {}", socket.display()))?;
        let destination = destination.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let destination = destination.clone();
                tokio::spawn(async move { carry(stream, &destination).await });
            }
        });
        Ok(SshBridge { dir, socket, accepting })
    }

    /// The socket bollard connects to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }
}

impl Drop for SshBridge {
    fn drop(&mut self) {
        self.accepting.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
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
async fn carry(mut stream: tokio::net::UnixStream, destination: &SshDestination) {
    let Ok(mut child) = command(destination).spawn_stdio() else { return };
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else { return };
    let (mut read, mut write) = stream.split();
    // The client closing its side ends ssh's input; the connection ends when ssh's output does
    // (the engine answered and closed, or ssh died: the client then sees the end at once).
    let up = async {
        let _ = tokio::io::copy(&mut read, &mut stdin).await;
        drop(stdin);
        std::future::pending::<()>().await
    };
    let down = tokio::io::copy(&mut stdout, &mut write);
    tokio::select! {
        _ = down => {}
        () = up => {}
    }
    let _ = child.kill().await;
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
