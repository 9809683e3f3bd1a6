//! `worktree prune`: forgets registry rows (and so releases leases) whose worktree is gone.

use crate::git;
use crate::state::{self, WorktreeRow, WorktreeState};
use anyhow::Result;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Pruned {
    pub repository: String,
    pub branch: Option<String>,
    pub path: String,
    pub reason: &'static str,
    pub released_ports: Vec<u16>,
}

/// Prunes the repository `repo_id`, or every repository on the machine with `all`.
pub fn prune(conn: &Connection, repo_id: Option<i64>) -> Result<Vec<Pruned>> {
    let mut pruned = Vec::new();
    for repo in state::list_repositories(conn)? {
        if repo_id.is_some_and(|id| id != repo.id) {
            continue;
        }
        let root = repo.root.to_string_lossy().into_owned();
        if !repo.root.join(".git").exists() {
            for row in WorktreeRow::list(conn, repo.id)? {
                pruned.push(entry(&root, &row, "repository is gone"));
            }
            pruned.push(Pruned {
                repository: root.clone(),
                branch: None,
                path: root.clone(),
                reason: "repository is gone",
                released_ports: Vec::new(),
            });
            conn.execute("DELETE FROM repositories WHERE id = ?1", [repo.id])?;
            continue;
        }
        git::prune_worktrees(&repo.root)?;
        let known: Vec<_> = git::list_worktrees(&repo.root)?.into_iter().map(|w| w.path).collect();
        for row in WorktreeRow::list(conn, repo.id)? {
            let reason = if row.state == WorktreeState::Creating {
                if !row.is_abandoned(conn)? {
                    continue;
                }
                "add did not finish"
            } else if !row.path.exists() {
                "directory is gone"
            } else if !known.iter().any(|k| git::same_path(k, &row.path)) {
                "git no longer knows the worktree"
            } else {
                continue;
            };
            WorktreeRow::delete(conn, row.id)?;
            pruned.push(entry(&root, &row, reason));
        }
    }
    Ok(pruned)
}

fn entry(root: &str, row: &WorktreeRow, reason: &'static str) -> Pruned {
    Pruned {
        repository: root.to_string(),
        branch: Some(row.branch.clone()),
        path: row.path.to_string_lossy().into_owned(),
        reason,
        released_ports: row.ports.values().copied().collect(),
    }
}
