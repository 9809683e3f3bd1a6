//! Branches: which names are acceptable, whether one exists, deleting one.

use super::git;
use crate::error::UserError;
use anyhow::Result;
use std::path::Path;

/// The longest part of a branch name between slashes: git stores a branch as a file named after
/// each part (plus `.lock` while it writes it), and file names are at most 255 bytes.
const MAX_NAME_PART: usize = 250;

/// Refuses names git would refuse as a branch (`bad..name`, `a b`), names that would read as
/// an option (`-x`) and names whose parts are too long for a file name, before anything is
/// created.
pub fn validate_branch_name(name: &str) -> Result<()> {
    if let Some(part) = name.split('/').find(|p| p.len() > MAX_NAME_PART) {
        return Err(UserError::usage(format!(
            "not a valid branch name: a part of it is {} bytes long",
            part.len()
        ))
        .hint(format!("each part of a branch name between slashes may be at most {MAX_NAME_PART} bytes"))
        .into());
    }
    let valid = !name.is_empty()
        && !name.starts_with('-')
        && name != "HEAD"
        && git2::Branch::name_is_valid(name).unwrap_or(false);
    if valid {
        Ok(())
    } else {
        Err(UserError::usage(format!("not a valid branch name: {name:?}"))
            .hint("git branch names cannot start with '-' or contain spaces, '..', '~', '^', ':', '?', '*', '[' or '\\'")
            .into())
    }
}

/// Whether `refs/heads/<name>` exists in the repository at `repo_dir`.
pub fn branch_exists(repo_dir: &Path, name: &str) -> Result<bool> {
    let repo = git2::Repository::open(repo_dir)?;
    let found = repo.find_branch(name, git2::BranchType::Local).is_ok();
    Ok(found)
}

/// Whether `git branch -d` would delete `name`: its tip is contained in its upstream when it has
/// one, else in HEAD of the checkout at `repo_dir` — so a refusal can come before anything else
/// of a removal has happened.
pub fn is_merged(repo_dir: &Path, name: &str) -> Result<bool> {
    let repo = git2::Repository::open(repo_dir)?;
    let branch = repo.find_branch(name, git2::BranchType::Local)?;
    let tip = branch.get().peel_to_commit()?.id();
    let into = match branch.upstream() {
        Ok(upstream) => upstream.get().peel_to_commit()?.id(),
        Err(_) => repo.head()?.peel_to_commit()?.id(),
    };
    Ok(tip == into || repo.graph_descendant_of(into, tip)?)
}

/// Whether exactly one remote has a branch called `name` (git then creates a tracking branch).
pub fn remote_branch_exists(repo_dir: &Path, name: &str) -> Result<bool> {
    let repo = git2::Repository::open(repo_dir)?;
    let mut count = 0;
    for remote in repo.remotes()?.iter().flatten().flatten() {
        if repo.find_branch(&format!("{remote}/{name}"), git2::BranchType::Remote).is_ok() {
            count += 1;
        }
    }
    Ok(count == 1)
}

/// Deletes a local branch; an unmerged one only with `force`. `owner`, when given, is an
/// operation's lock file, passed as stdin so the operation stays owned while git runs.
pub fn delete_branch(repo_dir: &Path, name: &str, force: bool, owner: Option<std::fs::File>) -> Result<()> {
    let flag = if force { "-D" } else { "-d" };
    let cmd = git(repo_dir).args(["branch", flag, "--", name]);
    // git checks every worktree's HEAD before deleting; under the lock that keeps worktree
    // changes apart, none is half-written while it looks.
    let out = {
        let _lock = super::lock::lock_worktrees(repo_dir)?;
        match owner {
            Some(file) => cmd.output_with_stdin(file)?,
            None => cmd.output()?,
        }
    };
    if !out.status.success() {
        let msg = crate::process::last_lines(&out.stderr, 2);
        let err = UserError::new(format!("cannot delete branch {name}: {msg}"));
        let err = if force {
            err.hint(format!("see `git branch -D {name}` for git's own message"))
        } else {
            err.hint("it is not merged; pass --force to delete it anyway")
        };
        return Err(err.into());
    }
    Ok(())
}

/// How old `packed-refs.lock` must be before cfn treats it as left by a killed git: git holds
/// it only for the moment of an update.
const STALE_GIT_LOCK: std::time::Duration = std::time::Duration::from_secs(5);

/// Removes the lock files a git killed mid-update leaves behind, which would make every later
/// update of the branch `name` fail: the branch's own ref lock, and `packed-refs.lock` when it
/// is older than a live git ever holds it. Only for repairing an operation on that branch whose
/// processes are all gone: no other cfn operation touches the branch's ref meanwhile.
pub fn clear_stale_ref_locks(repo_dir: &Path, name: &str) -> Result<Vec<std::path::PathBuf>> {
    let common = git2::Repository::open(repo_dir)?.commondir().to_path_buf();
    let mut removed = Vec::new();
    let ref_lock = common.join("refs/heads").join(format!("{name}.lock"));
    if std::fs::remove_file(&ref_lock).is_ok() {
        removed.push(ref_lock);
    }
    let packed = common.join("packed-refs.lock");
    let old = std::fs::metadata(&packed)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_GIT_LOCK));
    if old && std::fs::remove_file(&packed).is_ok() {
        removed.push(packed);
    }
    Ok(removed)
}
