//! Who owns an unfinished operation: the process holding its lock file, for as long as it lives.
//!
//! An operation that leaves a row half-way (`worktree add`, `worktree remove`) first takes an
//! exclusive `flock` on a fresh file `$CFN_HOME/ops/<token>.lock` and records the token in the
//! row; it keeps the lock until the row is settled. The operating system drops the lock the
//! moment the process dies, however it dies (SIGKILL included), so "is anybody still doing
//! this?" is answered at once and exactly by trying the lock: no age rule, no pid that the
//! system may have handed to another process since, and the same on Linux and macOS.
//!
//! Children that do part of the work (`git worktree add`) get the lock file as their stdin: a
//! descriptor of the same open file keeps the lock held while the child runs, so an operation
//! whose cfn process was killed is still owned until its git has finished too.
//!
//! Whoever takes over an abandoned operation holds its lock while repairing, so two repairers
//! never work on one row. The file is deleted once the row is settled.

use anyhow::{Context as _, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

/// A held operation lock. Dropping it deletes the file and releases the lock (a process that
/// is killed does neither: the system releases the lock, and the file waits for a repairer).
#[derive(Debug)]
pub struct OpLock {
    file: File,
    path: PathBuf,
    token: String,
}

fn ops_dir(home: &Path) -> PathBuf {
    home.join("ops")
}

/// The folder of the operation locks, 0700 like `$CFN_HOME` (an existing one is tightened):
/// its file names are the tokens that own registry rows.
pub fn private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot make {} private", dir.display()))
}

fn lock_path(home: &Path, token: &str) -> PathBuf {
    ops_dir(home).join(format!("{token}.lock"))
}

/// A token is a file name we made: refuse anything else before it becomes a path.
fn valid_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 64 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl OpLock {
    /// Takes a new lock for an operation this process is about to start.
    pub fn take(home: &Path) -> Result<OpLock> {
        let dir = ops_dir(home);
        private_dir(&dir)?;
        let mut bytes = [0u8; 12];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random bytes: {e}"))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let path = lock_path(home, &token);
        let file = OpenOptions::new()
            .create_new(true)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(OpLock { file, path, token })
    }

    /// Takes over the operation `token` if its owner is gone; `None` while it lives.
    pub fn claim(home: &Path, token: Option<&str>) -> Result<Option<OpLock>> {
        let token = match token {
            Some(t) if valid_token(t) => t.to_string(),
            // No owner recorded (a row from an older cfn): nobody can be doing it.
            _ => return OpLock::take(home).map(Some),
        };
        let path = lock_path(home, &token);
        private_dir(&ops_dir(home))?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(OpLock { file, path, token })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e).with_context(|| format!("cannot lock {}", path.display())),
        }
    }

    /// Whether the operation `token` has a live owner, without taking it over and without
    /// creating anything.
    pub fn is_held(home: &Path, token: Option<&str>) -> Result<bool> {
        let Some(token) = token.filter(|t| valid_token(t)) else { return Ok(false) };
        let path = lock_path(home, token);
        let file = match OpenOptions::new().write(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e).with_context(|| format!("cannot open {}", path.display())),
        };
        match file.try_lock() {
            Ok(()) => Ok(false),
            Err(TryLockError::WouldBlock) => Ok(true),
            Err(TryLockError::Error(e)) => Err(e).with_context(|| format!("cannot lock {}", path.display())),
        }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Another descriptor of the locked file, for a child's stdin: the lock stays held while
    /// the child runs, even if this process dies.
    pub fn inheritable(&self) -> Result<File> {
        Ok(self.file.try_clone()?)
    }

    /// The operation is settled (or was never recorded): deletes the file, releases the lock.
    pub fn finish(self) {}
}

impl Drop for OpLock {
    fn drop(&mut self) {
        // Deleted while still locked, so nobody locks this path's file after we let go; a
        // checker that opened it before re-reads the row and sees it settled.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Deletes the lock files nobody holds and no row names (left by a process killed after it
/// settled its row but before it deleted its file).
pub fn sweep(home: &Path, in_use: &std::collections::HashSet<String>) -> Result<usize> {
    let Ok(entries) = std::fs::read_dir(ops_dir(home)) else { return Ok(0) };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(token) = name.strip_suffix(".lock") else { continue };
        if in_use.contains(token) || !valid_token(token) {
            continue;
        }
        if let Some(lock) = OpLock::claim(home, Some(token))? {
            lock.finish();
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_owned_and_a_dropped_one_can_be_claimed() {
        let home = tempfile::tempdir().unwrap();
        let lock = OpLock::take(home.path()).unwrap();
        let token = lock.token().to_string();
        assert!(OpLock::is_held(home.path(), Some(&token)).unwrap());
        assert!(OpLock::claim(home.path(), Some(&token)).unwrap().is_none());
        drop(lock);
        assert!(!OpLock::is_held(home.path(), Some(&token)).unwrap());
        let claimed = OpLock::claim(home.path(), Some(&token)).unwrap().expect("abandoned");
        assert!(OpLock::is_held(home.path(), Some(&token)).unwrap());
        claimed.finish();
        assert!(!lock_path(home.path(), &token).exists());
    }

    #[test]
    fn a_child_holding_the_file_keeps_the_operation_owned() {
        let home = tempfile::tempdir().unwrap();
        let lock = OpLock::take(home.path()).unwrap();
        let token = lock.token().to_string();
        let mut child =
            std::process::Command::new("sleep").arg("1").stdin(lock.inheritable().unwrap()).spawn().unwrap();
        // As if this process were killed: its descriptor closes, the file stays.
        let mut lock = lock;
        lock.path = home.path().join("elsewhere");
        drop(lock);
        assert!(OpLock::is_held(home.path(), Some(&token)).unwrap(), "the child holds it");
        child.wait().unwrap();
        assert!(!OpLock::is_held(home.path(), Some(&token)).unwrap());
    }

    #[test]
    fn tokens_that_are_not_ours_are_refused() {
        assert!(!valid_token("../x"));
        assert!(!valid_token(""));
        assert!(valid_token("0a1b"));
    }
}
