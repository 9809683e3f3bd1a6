//! The `command` probe: run a program, healthy when it exits 0.
//!
//! argv runs directly, never through a shell, with stdin closed and without the model
//! providers' keys of cfn's environment. Its output is kept (the
//! last 4 KiB of each stream) only to quote the last line in a failure. When the timeout
//! passes, the process is killed (SIGKILL) and reaped; processes it started itself are not
//! followed, and the probe does not wait for them to close its output. If the caller drops
//! the probe early, `kill_on_drop` still kills the process.

use std::path::Path;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinHandle;

use super::probes::{error_line, Outcome};
use super::timed_out;

const KEEP: usize = 4096;

/// How long output may keep flowing after the process exited (a child it left behind may
/// hold the pipe open).
const DRAIN: Duration = Duration::from_millis(100);

pub(crate) async fn probe(argv: &[String], cwd: Option<&Path>, timeout: Duration) -> Outcome {
    let Some((program, args)) = argv.split_first() else {
        return Err("the command is empty".to_string());
    };
    let mut command = crate::process::Cmd::new(program).args(args);
    // A repository's check never gets a model provider's key: its output is shown (by `cfn
    // health`, and by the portal to whoever holds its token), and it needs none.
    for name in crate::names::PROVIDER_VARIABLES.iter().flat_map(|(_, names)| names.iter()) {
        command = command.env_remove(name);
    }
    if let Some(dir) = cwd {
        command = command.cwd(dir);
    }
    let mut child = command.spawn_piped().map_err(|e| format!("cannot run {program}: {}", error_line(&e)))?;
    let (out, err) = (Tail::default(), Tail::default());
    let readers = [out.follow(child.stdout.take()), err.follow(child.stderr.take())];
    let status = tokio::select! {
        status = child.wait() => status.map_err(|e| format!("cannot wait for {program}: {}", error_line(&e))),
        _ = tokio::time::sleep(timeout) => {
            let killed = child.kill().await;
            readers.iter().for_each(JoinHandle::abort);
            let how = if killed.is_ok() { "killed" } else { "could not kill" };
            return Err(format!("{}; {how} {program}", timed_out(timeout)));
        }
    };
    for reader in readers {
        let abort = reader.abort_handle();
        if tokio::time::timeout(DRAIN, reader).await.is_err() {
            abort.abort();
        }
    }
    let status = status?;
    if status.success() {
        return Ok("exit 0".to_string());
    }
    let said = err.last_line().or_else(|| out.last_line());
    Err(match said {
        Some(line) => format!("{}: {line}", describe(status)),
        None => describe(status),
    })
}

fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}

/// The last bytes a stream produced.
#[derive(Clone, Default)]
struct Tail(Arc<Mutex<Vec<u8>>>);

impl Tail {
    /// Copies `stream` into the tail until it ends.
    fn follow(&self, stream: Option<impl AsyncRead + Unpin + Send + 'static>) -> JoinHandle<()> {
        let tail = self.clone();
        tokio::spawn(async move {
            let Some(mut stream) = stream else { return };
            let mut chunk = [0u8; 1024];
            while let Ok(n @ 1..) = stream.read(&mut chunk).await {
                if let Ok(mut kept) = tail.0.lock() {
                    kept.extend_from_slice(&chunk[..n]);
                    let excess = kept.len().saturating_sub(KEEP);
                    kept.drain(..excess);
                }
            }
        })
    }

    /// The last non-empty line, at most 200 characters.
    fn last_line(&self) -> Option<String> {
        let kept = self.0.lock().ok()?;
        let text = String::from_utf8_lossy(&kept);
        let line = text.lines().map(str::trim).rfind(|l| !l.is_empty())?;
        Some(line.chars().take(200).collect())
    }
}
