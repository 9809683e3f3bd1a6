//! `worktree prune`: settles what no live process owns any more. An add or remove whose process
//! is gone is rolled back or finished (`super::recover`); a row whose worktree is gone is
//! forgotten, and so its leases released — but only once its stack is stopped (or, asked to,
//! kept with its leases): a port a running container publishes is never handed out again.
//! Operations still under way are left alone.
//!
//! Forgetting a gone worktree holds its branch lock, stops its stack, and only then deletes its
//! row: killed in between, the row is still there and the next prune finishes the job.

use super::prune_stack::{StackFate, Stacks};
use super::recover::{self, Outcome};
use crate::context::Context;
use crate::git;
use crate::state::{self, Operation, State, WorktreeRow};
use anyhow::Result;
use serde::Serialize;

/// The reason of an entry for an interrupted operation that could not be settled this time
/// (its row stays; the next prune tries again).
pub const UNSETTLED: &str = "an interrupted operation could not be settled yet";

#[derive(Debug, Clone, Copy, Default)]
pub struct PruneOptions {
    /// Keep the stack of a gone worktree running, and with it the worktree's row and leases.
    pub keep_stacks: bool,
}

#[derive(Debug, Serialize)]
pub struct Pruned {
    pub repository: String,
    pub branch: Option<String>,
    pub path: String,
    pub reason: &'static str,
    pub released_ports: Vec<u16>,
    /// Ports that stay leased because the row stays (its stack kept, or not settled).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept_ports: Vec<u16>,
    /// What became of the stack of a gone worktree; absent when the engine had nothing of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<StackFate>,
    /// What could not be done on the way (a branch kept), for a warning.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Pruned {
    /// Whether the worktree's row stays because its stack could not be settled.
    pub fn stack_unsettled(&self) -> bool {
        matches!(self.stack, Some(StackFate::Unsettled { .. }))
    }
}

/// Prunes the repository `repo_id`, or every repository on the machine with `None`.
pub async fn prune(
    ctx: &Context,
    state: &State,
    repo_id: Option<i64>,
    opts: PruneOptions,
) -> Result<Vec<Pruned>> {
    let conn = state.conn();
    let mut pruned = Vec::new();
    let mut stacks = Stacks::default();
    for repo in state::list_repositories(conn)? {
        if repo_id.is_some_and(|id| id != repo.id) {
            continue;
        }
        let root = repo.root.to_string_lossy().into_owned();
        if !repo.root.join(".git").exists() {
            let gone = Gone { ctx, state, root: &root, has_stack: true, opts };
            forget_repository(&gone, &mut stacks, &repo, &mut pruned).await?;
            continue;
        }
        // Another checkout now stands where this repository was (it moved away): what git
        // knows there says nothing of this repository's worktrees, which stay until it is
        // re-attached where it went (crate::state::repository_id) or forgotten.
        if repo.uid.as_deref().is_some_and(|uid| !crate::state::repository_id::holds(&repo.root, uid)) {
            continue;
        }
        for row in WorktreeRow::list(conn, repo.id)?.iter().filter(|r| r.operation.is_some()) {
            let recovered = recover::recover_if_abandoned(state, &repo.root, row).await;
            let recovered = match recovered {
                Ok(r) => r,
                Err(e) => {
                    let mut entry = entry(&root, row, UNSETTLED);
                    entry.released_ports.clear();
                    entry.notes.push(format!("{e:#}"));
                    pruned.push(entry);
                    continue;
                }
            };
            if let Some(done) = recovered {
                let reason = match (done.operation, done.outcome) {
                    (Operation::Remove, _) => "remove was interrupted: finished it",
                    (_, Outcome::Finished) => "add was interrupted after its last step: finished it",
                    (_, Outcome::RolledBack) => "add was interrupted: rolled it back",
                };
                let mut entry = entry(&root, &done.row, reason);
                if done.outcome == Outcome::Finished && done.operation != Operation::Remove {
                    entry.released_ports.clear();
                }
                entry.notes = done.notes;
                pruned.push(entry);
            }
        }
        git::forget_unfinished_entries(&repo.root)?;
        git::prune_worktrees(&repo.root)?;
        let known: Vec<_> = git::list_worktrees(&repo.root)?.into_iter().map(|w| w.path).collect();
        let gone_reason = |row: &WorktreeRow| {
            if !row.path.exists() {
                Some("directory is gone")
            } else if !known.iter().any(|k| git::same_path(k, &row.path)) {
                Some("git no longer knows the worktree")
            } else {
                None
            }
        };
        // A repository whose cfn.toml names no compose file has no stack; it is still asked
        // about when the engine answers (a branch may run one of its own).
        let has_stack = super::prune_stack::has_stack(&repo.root);
        let gone = Gone { ctx, state, root: &root, has_stack, opts };
        for row in WorktreeRow::list(conn, repo.id)?.iter().filter(|r| r.operation.is_none()) {
            let Some(reason) = gone_reason(row) else { continue };
            let still_gone = |now: &WorktreeRow| now.operation.is_none() && gone_reason(now).is_some();
            pruned.extend(gone.forget(&mut stacks, row, reason, still_gone).await?);
        }
    }
    state::sweep_op_locks(state.home(), &state::owner_tokens(conn)?)?;
    Ok(pruned)
}

/// How the worktrees of one repository that are gone are forgotten.
struct Gone<'a> {
    ctx: &'a Context,
    state: &'a State,
    root: &'a str,
    /// Whether the repository's configuration has a stack (unknown counts as yes).
    has_stack: bool,
    opts: PruneOptions,
}

impl Gone<'_> {
    /// Under the branch's lock, stops the stack of `row` (or keeps it, as asked) and then
    /// forgets the row and its leases. `still_gone` checks the row again once the lock is held
    /// (what held it may have changed it); `None` when there was nothing left to forget.
    async fn forget(
        &self,
        stacks: &mut Stacks,
        row: &WorktreeRow,
        reason: &'static str,
        still_gone: impl Fn(&WorktreeRow) -> bool,
    ) -> Result<Option<Pruned>> {
        let _lock = match crate::branch::lock::acquire(self.ctx, &row.project, "worktree prune") {
            Ok(lock) => lock,
            Err(e) => {
                let mut entry = entry(self.root, row, reason);
                keep(&mut entry, StackFate::Unsettled { error: format!("{e:#}") });
                return Ok(Some(entry));
            }
        };
        let conn = self.state.conn();
        let Some(now) = WorktreeRow::find(conn, row.id)?.filter(|now| still_gone(now)) else {
            return Ok(None);
        };
        let mut fate = stacks.settle(&now.project, now.engine.as_deref(), self.opts.keep_stacks).await;
        if stacks.unreachable() && !self.has_stack {
            // No engine and no stack configured: nothing of this worktree can be running.
            fate = None;
        }
        let mut entry = entry(self.root, &now, reason);
        match fate {
            Some(fate) if fate.keeps_leases() => {
                keep(&mut entry, fate);
                return Ok(Some(entry));
            }
            fate => entry.stack = fate,
        }
        crate::crash_point::reached("prune", 1);
        WorktreeRow::delete(conn, now.id)?;
        Ok(Some(entry))
    }
}

/// Forgets a repository whose checkout is gone: each of its worktrees as a gone one (stack
/// stopped first), then the repository itself once none of them stays.
async fn forget_repository(
    gone: &Gone<'_>,
    stacks: &mut Stacks,
    repo: &state::RepoRow,
    pruned: &mut Vec<Pruned>,
) -> Result<()> {
    let conn = gone.state.conn();
    let reason = "repository is gone";
    for row in WorktreeRow::list(conn, repo.id)? {
        let same_path = |now: &WorktreeRow| now.path == row.path;
        pruned.extend(gone.forget(stacks, &row, reason, same_path).await?);
    }
    if !WorktreeRow::list(conn, repo.id)?.is_empty() {
        return Ok(());
    }
    pruned.push(Pruned {
        repository: gone.root.to_string(),
        branch: None,
        path: gone.root.to_string(),
        reason,
        released_ports: Vec::new(),
        kept_ports: Vec::new(),
        stack: None,
        notes: Vec::new(),
    });
    conn.execute("DELETE FROM repositories WHERE id = ?1", [repo.id])?;
    Ok(())
}

/// Marks `entry` as kept: its row and leases stay.
fn keep(entry: &mut Pruned, fate: StackFate) {
    entry.kept_ports = std::mem::take(&mut entry.released_ports);
    entry.stack = Some(fate);
}

fn entry(root: &str, row: &WorktreeRow, reason: &'static str) -> Pruned {
    Pruned {
        repository: root.to_string(),
        branch: Some(row.branch.clone()),
        path: row.path.to_string_lossy().into_owned(),
        reason,
        released_ports: row.ports.values().copied().collect(),
        kept_ports: Vec::new(),
        stack: None,
        notes: Vec::new(),
    }
}
