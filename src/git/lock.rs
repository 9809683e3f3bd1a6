//! A per-repository lock around the git commands that change the worktree list.
//!
//! Concurrent `git worktree add` in one repository race on git's own administrative files
//! (`fatal: failed to read .git/worktrees/<name>/commondir`), and a `git worktree prune` can
//! delete a worktree another process is still creating. cfn runs those commands under an
//! exclusive lock on a file in the shared git directory; the operating system releases it if the
//! process dies. Port allocation does not wait for it: it is serialised by the state database.

use anyhow::{Context as _, Result};
use std::fs::File;
use std::path::Path;

/// Held while alive.
pub struct WorktreeLock {
    _file: File,
}

/// Blocks until this process holds the lock of the repository whose main checkout is `main_root`.
pub fn lock_worktrees(main_root: &Path) -> Result<WorktreeLock> {
    let repo = git2::Repository::open(main_root)
        .with_context(|| format!("cannot open the repository at {}", main_root.display()))?;
    let path = repo.commondir().join("cfn-worktrees.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(WorktreeLock { _file: file })
}
