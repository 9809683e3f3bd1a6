//! The git side of an implementer's own worktree (the loop's `isolation = "worktrees"`):
//! checking one out at a commit, committing what an agent left in it, merging it into the
//! branch, and removing it.
//!
//! git runs with hooks off (`core.hooksPath=/dev/null`, `--no-verify`): neither the repository's
//! hooks nor cfn's own (whose post-checkout would provision the new worktree as a branch of its
//! own) are the loop's to run. Commits carry the identity given, so they work where the user
//! has none configured and say who made them.

use super::lock::lock_worktrees;
use crate::error::UserError;
use crate::process::{last_lines, Cmd};
use anyhow::Result;
use std::path::Path;

/// Who a commit is by (author and committer).
pub struct Identity<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

/// How merging a commit into a checkout went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// A merge commit was made: the checkout's new HEAD.
    Done(String),
    /// The checkout had it already.
    UpToDate,
    /// Not merged; the checkout is as before. `files`: those in conflict, if git got that far.
    Refused { files: Vec<String>, why: String },
}

fn hookless(dir: &Path) -> Cmd {
    super::git_on_agents_work(dir).args(["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false"])
}

fn by(cmd: Cmd, who: &Identity) -> Cmd {
    cmd.env("GIT_AUTHOR_NAME", who.name)
        .env("GIT_AUTHOR_EMAIL", who.email)
        .env("GIT_COMMITTER_NAME", who.name)
        .env("GIT_COMMITTER_EMAIL", who.email)
}

/// The commit checked out at `dir`.
pub fn head(dir: &Path) -> Result<String> {
    Ok(hookless(dir).args(["rev-parse", "--verify", "HEAD^{commit}"]).read()?.trim().to_string())
}

/// Checks out `base` at `path` on branch `branch` (created, or reset to `base` if it exists).
/// `dir` is any checkout of the repository.
pub fn add(dir: &Path, path: &Path, branch: &str, base: &str) -> Result<()> {
    let out = {
        let _lock = lock_worktrees(dir)?;
        hookless(dir).args(["worktree", "add", "--quiet", "-B", branch, "--"]).arg(path).arg(base).output()?
    };
    if !out.status.success() {
        return Err(UserError::new(format!(
            "git could not check out {branch} at {}: {}",
            path.display(),
            last_lines(&out.stderr, 3)
        ))
        .hint("`git worktree list` shows what holds it; remove a worktree kept by an earlier run with `git worktree remove <path>`")
        .into());
    }
    Ok(())
}

/// Commits everything changed in the checkout at `dir` (`git add -A`: ignored files left out)
/// as `who`; false when there was nothing to commit.
pub fn commit_all(dir: &Path, message: &str, who: &Identity) -> Result<bool> {
    hookless(dir).args(["add", "-A"]).read()?;
    let unchanged = hookless(dir).args(["diff", "--cached", "--quiet"]).output()?.status.success();
    if unchanged {
        return Ok(false);
    }
    by(hookless(dir).args(["commit", "--quiet", "--no-verify", "-m", message]), who).read()?;
    Ok(true)
}

/// Merges `commit` into the checkout at `dir` with a merge commit (`--no-ff`) by `who`. A merge
/// git cannot finish (conflicts, or uncommitted files in the way) is undone.
pub fn merge(dir: &Path, commit: &str, message: &str, who: &Identity) -> Result<Merged> {
    let before = head(dir)?;
    let out =
        by(hookless(dir).args(["merge", "--no-ff", "--no-edit", "-m", message, commit]), who).output()?;
    if out.status.success() {
        let after = head(dir)?;
        return Ok(if after == before { Merged::UpToDate } else { Merged::Done(after) });
    }
    let conflicted =
        hookless(dir).args(["diff", "--name-only", "--diff-filter=U", "-z"]).read().unwrap_or_default();
    let files = conflicted.split('\0').filter(|f| !f.is_empty()).map(str::to_string).collect();
    // No merge in progress (git refused before starting) makes this fail harmlessly.
    let _ = hookless(dir).args(["merge", "--abort"]).output();
    let said = format!("{}\n{}", out.stdout, out.stderr);
    Ok(Merged::Refused { files, why: last_lines(&said, 2) })
}

/// Removes the worktree at `path` (whatever it holds) and deletes its branch `branch`.
pub fn remove(dir: &Path, path: &Path, branch: &str) -> Result<()> {
    super::remove_worktree(dir, path, super::Force::Unchecked, None)?;
    let out = hookless(dir).args(["branch", "-D", branch]).output()?;
    if !out.status.success() {
        anyhow::bail!("cannot delete branch {branch}: {}", last_lines(&out.stderr, 2));
    }
    Ok(())
}

/// Whether the checkout at `dir` moved from `base` only by merge commits of `merger` (along its
/// first parents) and has nothing uncommitted: nobody but the merges put anything there.
pub fn only_merged_since(dir: &Path, base: &str, merger: &Identity) -> Result<Option<String>> {
    let authors = hookless(dir)
        .args(["rev-list", "--first-parent", "--format=%ae %P", &format!("{base}..HEAD")])
        .read()?;
    let mut commits = authors.lines().filter(|l| !l.starts_with("commit "));
    if let Some(other) = commits.find(|l| !l.starts_with(merger.email) || l.split_whitespace().count() < 3) {
        let author = other.split_whitespace().next().unwrap_or("?");
        return Ok(Some(format!("a commit by {author} that is not one of cfn's merges")));
    }
    let status = hookless(dir).args(["status", "--porcelain", "--untracked-files=normal"]).read()?;
    let dirty: Vec<&str> = status.lines().map(|l| l.get(3..).unwrap_or(l)).take(3).collect();
    Ok((!dirty.is_empty()).then(|| format!("uncommitted changes ({})", dirty.join(", "))))
}
