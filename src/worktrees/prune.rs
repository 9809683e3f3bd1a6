//! `worktree prune`: settles what no live process owns any more. An add or remove whose process
//! is gone is rolled back or finished (`super::recover`); a row whose worktree is gone is
//! forgotten (and so its leases released). Operations still under way are left alone.

use super::recover::{self, Outcome};
use crate::git;
use crate::state::{self, Operation, State, WorktreeRow};
use anyhow::Result;
use rusqlite::Connection;
use serde::Serialize;

/// The reason of an entry for an interrupted operation that could not be settled this time
/// (its row stays; the next prune tries again).
pub const UNSETTLED: &str = "an interrupted operation could not be settled yet";

#[derive(Debug, Serialize)]
pub struct Pruned {
    pub repository: String,
    pub branch: Option<String>,
    pub path: String,
    pub reason: &'static str,
    pub released_ports: Vec<u16>,
    /// What could not be done on the way (a branch kept), for a warning.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Prunes the repository `repo_id`, or every repository on the machine with `None`.
pub fn prune(state: &State, repo_id: Option<i64>) -> Result<Vec<Pruned>> {
    let conn = state.conn();
    let mut pruned = Vec::new();
    for repo in state::list_repositories(conn)? {
        if repo_id.is_some_and(|id| id != repo.id) {
            continue;
        }
        let root = repo.root.to_string_lossy().into_owned();
        if !repo.root.join(".git").exists() {
            forget_repository(conn, &repo, &root, &mut pruned)?;
            continue;
        }
        // Another checkout now stands where this repository was (it moved away): what git
        // knows there says nothing of this repository's worktrees, which stay until it is
        // re-attached where it went (crate::identity) or forgotten.
        if repo.uid.as_deref().is_some_and(|uid| !crate::identity::holds(&repo.root, uid)) {
            continue;
        }
        for row in WorktreeRow::list(conn, repo.id)?.iter().filter(|r| r.operation.is_some()) {
            let recovered = recover::recover_if_abandoned(state, &repo.root, row);
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
        for row in WorktreeRow::list(conn, repo.id)?.iter().filter(|r| r.operation.is_none()) {
            let reason = if !row.path.exists() {
                "directory is gone"
            } else if !known.iter().any(|k| git::same_path(k, &row.path)) {
                "git no longer knows the worktree"
            } else {
                continue;
            };
            WorktreeRow::delete(conn, row.id)?;
            pruned.push(entry(&root, row, reason));
        }
    }
    state::sweep_op_locks(state.home(), &state::owner_tokens(conn)?)?;
    Ok(pruned)
}

fn forget_repository(
    conn: &Connection,
    repo: &state::RepoRow,
    root: &str,
    pruned: &mut Vec<Pruned>,
) -> Result<()> {
    for row in WorktreeRow::list(conn, repo.id)? {
        pruned.push(entry(root, &row, "repository is gone"));
    }
    pruned.push(Pruned {
        repository: root.to_string(),
        branch: None,
        path: root.to_string(),
        reason: "repository is gone",
        released_ports: Vec::new(),
        notes: Vec::new(),
    });
    conn.execute("DELETE FROM repositories WHERE id = ?1", [repo.id])?;
    Ok(())
}

fn entry(root: &str, row: &WorktreeRow, reason: &'static str) -> Pruned {
    Pruned {
        repository: root.to_string(),
        branch: Some(row.branch.clone()),
        path: row.path.to_string_lossy().into_owned(),
        reason,
        released_ports: row.ports.values().copied().collect(),
        notes: Vec::new(),
    }
}
