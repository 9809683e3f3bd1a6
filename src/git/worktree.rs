//! Linked worktrees through the `git worktree` command.

use super::git;
use super::lock::lock_worktrees;
use crate::error::UserError;
use crate::process::last_lines;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// How the branch of a new worktree comes to exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewBranch {
    /// It exists locally (or git creates it tracking the one remote that has it).
    Existing,
    /// Create it from this revision.
    From(String),
}

/// `git worktree add`: checks out `branch` at `path`. `owner`, an operation's lock file, is the
/// child's stdin, so the operation stays owned while git runs (see `state::OpLock`).
pub fn worktree_add(
    main_root: &Path,
    path: &Path,
    branch: &str,
    how: &NewBranch,
    owner: std::fs::File,
) -> Result<()> {
    let mut cmd = git(main_root).args(["worktree", "add", "--quiet"]);
    cmd = match how {
        NewBranch::Existing => cmd.arg("--").arg(path).arg(branch),
        NewBranch::From(base) => cmd.args(["-b", branch, "--"]).arg(path).arg(base),
    };
    let out = {
        let _lock = lock_worktrees(main_root)?;
        cmd.output_with_stdin(owner)?
    };
    if !out.status.success() {
        return Err(UserError::new(format!(
            "git could not create the worktree: {}",
            last_lines(&out.stderr, 3)
        ))
        .hint("check the branch and base revision with `git branch -a` and `git worktree list`")
        .into());
    }
    Ok(())
}

/// Deletes git's administrative entries without a `gitdir` file (or with an empty one): left by a
/// `git worktree add` killed in its first moments (git writes that file right after creating
/// the entry, so one older than a few seconds is never still being made). `git worktree prune`
/// keeps them when they are locked `initializing`. Returns how many there were.
pub fn forget_unfinished_entries(main_root: &Path) -> Result<usize> {
    let common = git2::Repository::open(main_root)?.commondir().to_path_buf();
    let Ok(entries) = std::fs::read_dir(common.join("worktrees")) else { return Ok(0) };
    let _lock = lock_worktrees(main_root)?;
    let mut removed = 0;
    for entry in entries.flatten() {
        let dir = entry.path();
        let old = std::fs::metadata(&dir)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > std::time::Duration::from_secs(3)));
        let gitdir = std::fs::read_to_string(dir.join("gitdir")).unwrap_or_default();
        if old && dir.is_dir() && gitdir.trim().is_empty() {
            std::fs::remove_dir_all(&dir)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// How hard `git worktree remove` may push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Force {
    /// The caller has checked (or the user agreed to lose changes): git skips its own walk of
    /// every file and only deletes.
    Unchecked,
    /// Also removes a locked worktree.
    Locked,
}

/// `git worktree remove`. `owner`, when given, is an operation's lock file, passed as stdin so
/// the operation stays owned while git deletes.
pub fn remove_worktree(
    main_root: &Path,
    path: &Path,
    force: Force,
    owner: Option<std::fs::File>,
) -> Result<()> {
    let mut cmd = git(main_root).args(["worktree", "remove"]);
    cmd = match force {
        Force::Unchecked => cmd.arg("--force"),
        Force::Locked => cmd.args(["--force", "--force"]),
    };
    let cmd = cmd.arg("--").arg(path);
    let out = {
        let _lock = lock_worktrees(main_root)?;
        match owner {
            Some(file) => cmd.output_with_stdin(file)?,
            None => cmd.output()?,
        }
    };
    if !out.status.success() {
        return Err(UserError::new(format!(
            "git could not remove the worktree: {}",
            last_lines(&out.stderr, 3)
        ))
        .hint("git's message above says why; `git worktree list` shows what git knows")
        .into());
    }
    Ok(())
}

/// Deletes git's administrative entry (`.git/worktrees/<name>`) of a worktree at `path` whose
/// directory is already gone, even a locked one (a `git worktree add` killed mid-way leaves
/// its entry locked "initializing", which `git worktree prune` never removes). Returns whether
/// there was one.
pub fn forget_worktree(main_root: &Path, path: &Path) -> Result<bool> {
    let common = git2::Repository::open(main_root)?.commondir().to_path_buf();
    let Ok(entries) = std::fs::read_dir(common.join("worktrees")) else { return Ok(false) };
    let _lock = lock_worktrees(main_root)?;
    // git records the real path; the parent of a gone directory can still be resolved.
    let real = match (path.parent().map(std::fs::canonicalize), path.file_name()) {
        (Some(Ok(parent)), Some(name)) => parent.join(name),
        _ => path.to_path_buf(),
    };
    let mut found = false;
    for entry in entries.flatten() {
        let Ok(gitdir) = std::fs::read_to_string(entry.path().join("gitdir")) else { continue };
        let points_at = Path::new(gitdir.trim()).parent();
        if (points_at == Some(path) || points_at == Some(real.as_path())) && !path.exists() {
            std::fs::remove_dir_all(entry.path())?;
            found = true;
        }
    }
    Ok(found)
}

/// `git worktree prune`: forgets worktrees whose directory is gone.
pub fn prune_worktrees(main_root: &Path) -> Result<()> {
    let _lock = lock_worktrees(main_root)?;
    git(main_root).args(["worktree", "prune"]).read()?;
    Ok(())
}

/// One entry of `git worktree list --porcelain`.
#[derive(Debug, Clone, Default)]
pub struct GitWorktree {
    pub path: PathBuf,
    pub branch: Option<String>,
    pub bare: bool,
    pub detached: bool,
    pub locked: bool,
    /// Why it is locked, when git says (`initializing`: a `git worktree add` under way or
    /// killed before its checkout finished).
    pub lock_reason: Option<String>,
    pub prunable: bool,
}

impl GitWorktree {
    /// A checkout git started and never finished: still locked "initializing", or a directory
    /// holding nothing but its `.git` file. Never to be registered as a real worktree.
    pub fn is_half_created(&self) -> bool {
        if self.lock_reason.as_deref() == Some("initializing") {
            return true;
        }
        match std::fs::read_dir(&self.path) {
            Ok(entries) => entries.flatten().all(|e| e.file_name() == ".git"),
            Err(_) => false,
        }
    }
}

/// Every worktree git knows of, the main checkout first.
pub fn list_worktrees(main_root: &Path) -> Result<Vec<GitWorktree>> {
    let out = git(main_root).args(["worktree", "list", "--porcelain", "-z"]).read()?;
    Ok(parse_porcelain(&out))
}

fn parse_porcelain(out: &str) -> Vec<GitWorktree> {
    let mut list = Vec::new();
    let mut current: Option<GitWorktree> = None;
    for field in out.split('\0') {
        if field.is_empty() {
            list.extend(current.take());
            continue;
        }
        let (word, rest) = field.split_once(' ').unwrap_or((field, ""));
        let wt = current.get_or_insert_with(GitWorktree::default);
        match word {
            "worktree" => wt.path = PathBuf::from(rest),
            "branch" => wt.branch = Some(rest.strip_prefix("refs/heads/").unwrap_or(rest).to_string()),
            "bare" => wt.bare = true,
            "detached" => wt.detached = true,
            "locked" => {
                wt.locked = true;
                wt.lock_reason = Some(rest.to_string()).filter(|r| !r.is_empty());
            }
            "prunable" => wt.prunable = true,
            _ => {}
        }
    }
    list.extend(current);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_porcelain_z() {
        let out = "worktree /r\0HEAD abc\0branch refs/heads/main\0\0worktree /r-x\0HEAD def\0detached\0prunable gitdir file points to non-existent location\0\0";
        let list = parse_porcelain(out);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].branch.as_deref(), Some("main"));
        assert!(list[1].detached && list[1].prunable);
    }
}
