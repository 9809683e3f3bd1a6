//! Uncommitted work: what `remove` must never lose.

use super::git;
use anyhow::Result;
use std::path::Path;

/// Paths with uncommitted changes or untracked (not ignored) files in the checkout at `dir`.
pub fn dirty_paths(dir: &Path) -> Result<Vec<String>> {
    let out = git(dir)
        .args(["status", "--porcelain=v1", "-z", "--untracked-files=normal", "--ignore-submodules=none"])
        .read()?;
    let mut paths = Vec::new();
    let mut fields = out.split('\0').filter(|f| !f.is_empty());
    while let Some(entry) = fields.next() {
        let (code, path) = entry.split_at(entry.len().min(3));
        paths.push(path.to_string());
        // A rename or copy is followed by its source path as a separate field.
        if code.starts_with('R') || code.starts_with('C') {
            fields.next();
        }
    }
    Ok(paths)
}

/// Whether the linked worktree at `dir` has initialised submodules (git's
/// `.git/worktrees/<name>/modules`), which `git worktree remove` only deletes when forced.
pub fn has_submodules(dir: &Path) -> bool {
    if !dir.join(".gitmodules").exists() {
        return false;
    }
    let Ok(dotgit) = std::fs::read_to_string(dir.join(".git")) else { return false };
    let Some(gitdir) = dotgit.trim().strip_prefix("gitdir:") else { return false };
    let gitdir = dir.join(gitdir.trim());
    std::fs::read_dir(gitdir.join("modules")).is_ok_and(|mut entries| entries.next().is_some())
}
