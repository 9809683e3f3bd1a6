//! Taking over an operation whose process is gone, and settling it at once: an add is rolled
//! back completely (worktree directory, git's entry for it, the branch if the add created it,
//! the row and its leases), or finished when only marking it ready was left; a remove is
//! finished. Whoever does it holds the operation's lock meanwhile (see `state::OpLock`), so an
//! operation whose process lives is never touched, and two repairers never race.

use crate::git::{self, Force};
use crate::state::{OpLock, Operation, State, WorktreeRow, ADD_STEP_RENDERED};
use anyhow::Result;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Nothing of the operation remains.
    RolledBack,
    /// The operation was completed.
    Finished,
}

#[derive(Debug)]
pub struct Recovered {
    /// The row as it was when it was taken over.
    pub row: WorktreeRow,
    pub operation: Operation,
    pub outcome: Outcome,
    /// What could not be done (a branch that could not be deleted), for a warning.
    pub notes: Vec<String>,
}

/// If `row` is an operation nobody owns any more, takes it over and settles it; `None` when
/// there is nothing to settle or its process is still alive.
pub async fn recover_if_abandoned(
    state: &State,
    main_root: &Path,
    row: &WorktreeRow,
) -> Result<Option<Recovered>> {
    if row.operation.is_none() {
        return Ok(None);
    }
    let Some(lock) = OpLock::claim(state.home(), row.owner.as_deref())? else { return Ok(None) };
    let conn = state.conn();
    // Read again under the lock: the owner may have settled the row just before it let go.
    let current = WorktreeRow::find(conn, row.id)?;
    let Some(now) = current.filter(|r| r.operation.is_some() && r.owner == row.owner) else {
        return Ok(None);
    };
    if !WorktreeRow::take_over(conn, now.id, now.owner.as_deref(), lock.token())? {
        return Ok(None);
    }
    let operation = now.operation.unwrap_or(Operation::Add);
    let mut notes = Vec::new();
    let outcome = match operation {
        Operation::Add | Operation::Adopt if now.step >= ADD_STEP_RENDERED && now.path.is_dir() => {
            WorktreeRow::mark_ready(conn, now.id)?;
            Outcome::Finished
        }
        Operation::Add => {
            roll_back_add(state, main_root, &now, Some(&lock), &mut notes)?;
            Outcome::RolledBack
        }
        // The checkout is the user's: only cfn's row goes.
        Operation::Adopt => {
            WorktreeRow::delete(conn, now.id)?;
            Outcome::RolledBack
        }
        Operation::Remove => {
            finish_remove(state, main_root, &now, &lock, &mut notes).await?;
            Outcome::Finished
        }
    };
    lock.finish();
    Ok(Some(Recovered { row: now, operation, outcome, notes }))
}

/// Undoes an add: everything it may have created, in reverse order, the row last (so a
/// failure half-way leaves a row that the next repair finds again).
pub(super) fn roll_back_add(
    state: &State,
    main_root: &Path,
    row: &WorktreeRow,
    lock: Option<&OpLock>,
    notes: &mut Vec<String>,
) -> Result<()> {
    remove_checkout(main_root, &row.path, lock)?;
    if let Some(created) = &row.created_dir {
        remove_empty_dirs(&row.path, created);
    }
    if row.created_branch {
        clear_git_locks(main_root, &row.branch, notes)?;
    }
    if row.created_branch && git::branch_exists(main_root, &row.branch)? {
        // The row stays until the branch is gone, so the next repair tries again.
        let owner = lock.map(OpLock::inheritable).transpose()?;
        git::delete_branch(main_root, &row.branch, true, owner)?;
    }
    WorktreeRow::delete(state.conn(), row.id)?;
    Ok(())
}

/// Clears the lock files a killed git of the operation may have left on its branch.
fn clear_git_locks(main_root: &Path, branch: &str, notes: &mut Vec<String>) -> Result<()> {
    for lock in git::clear_stale_ref_locks(main_root, branch)? {
        notes.push(format!("removed {}, left by a git that was killed", lock.display()));
    }
    Ok(())
}

/// Completes a remove: the stack stopped (volumes kept), the checkout and git's entry gone,
/// the branch deleted if that was asked, the row and its leases released. A stack that cannot
/// be stopped (no engine) keeps the row and its leases.
async fn finish_remove(
    state: &State,
    main_root: &Path,
    row: &WorktreeRow,
    lock: &OpLock,
    notes: &mut Vec<String>,
) -> Result<()> {
    match super::remove::teardown(&row.project, row.engine.as_deref(), false).await {
        Ok(_) => {}
        // It may still run on the row's ports: the row stays, and the next repair tries again.
        Err(e) if super::prune_stack::has_stack(main_root) => {
            return Err(e.context(format!(
                "the stack of {} could not be stopped; its ports stay leased",
                row.branch
            )));
        }
        // No stack configured: with no engine, nothing of it can run.
        Err(_) => {}
    }
    remove_checkout(main_root, &row.path, Some(lock))?;
    if row.delete_branch > 0 {
        clear_git_locks(main_root, &row.branch, notes)?;
    }
    if row.delete_branch > 0 && git::branch_exists(main_root, &row.branch)? {
        let owner = Some(lock.inheritable()?);
        let force = row.delete_branch > 1;
        match git::delete_branch(main_root, &row.branch, force, owner) {
            // Forced, it can only fail for a passing reason: the row stays for the next try.
            Err(e) if force => return Err(e),
            // Unmerged: the branch is kept, as a remove without --force keeps it.
            Err(e) => notes.push(format!("branch {} was kept: {e:#}", row.branch)),
            Ok(()) => {}
        }
    }
    WorktreeRow::delete(state.conn(), row.id)?;
    Ok(())
}

/// Removes a worktree's directory and git's record of it, whatever state either is in (a
/// complete checkout, one git never finished, a directory without its `.git` file, nothing).
fn remove_checkout(main_root: &Path, path: &Path, lock: Option<&OpLock>) -> Result<()> {
    if path.symlink_metadata().is_ok() {
        let owner = lock.map(OpLock::inheritable).transpose()?;
        let removed = git::remove_worktree(main_root, path, Force::Locked, owner);
        if removed.is_err() && path.symlink_metadata().is_ok() {
            std::fs::remove_dir_all(path)?;
        }
    }
    git::forget_worktree(main_root, path)?;
    git::prune_worktrees(main_root)
}

/// Removes the now empty directories between `path` and `created` (both included), which the
/// add created; a directory something else has put files in since stays.
fn remove_empty_dirs(path: &Path, created: &Path) {
    let mut dir = Some(path);
    while let Some(d) = dir.filter(|d| d.starts_with(created)) {
        if d.exists() && std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
