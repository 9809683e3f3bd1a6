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

/// `git worktree add`: checks out `branch` at `path`.
pub fn worktree_add(main_root: &Path, path: &Path, branch: &str, how: &NewBranch) -> Result<()> {
    let mut cmd = git(main_root).args(["worktree", "add", "--quiet"]);
    cmd = match how {
        NewBranch::Existing => cmd.arg("--").arg(path).arg(branch),
        NewBranch::From(base) => cmd.args(["-b", branch, "--"]).arg(path).arg(base),
    };
    let out = {
        let _lock = lock_worktrees(main_root)?;
        cmd.output()?
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

/// `git worktree remove`; `force` also removes one with local changes.
pub fn remove_worktree(main_root: &Path, path: &Path, force: bool) -> Result<()> {
    let mut cmd = git(main_root).args(["worktree", "remove"]);
    if force {
        // Twice: also removes a locked worktree, as the user asked for force.
        cmd = cmd.args(["--force", "--force"]);
    }
    let out = {
        let _lock = lock_worktrees(main_root)?;
        cmd.arg("--").arg(path).output()?
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
    pub prunable: bool,
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
            "locked" => wt.locked = true,
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
