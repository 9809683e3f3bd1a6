//! Following worktrees that moved with their repository: a registered worktree whose directory
//! is gone, while git (after `git worktree repair`) lists its branch at another directory that
//! no row holds, is that worktree moved. Its row follows, keeping its compose project, slot and
//! leases — registering it anew would give the branch other ports and an empty project.

use crate::git::{self, same_path};
use crate::state::WorktreeRow;
use anyhow::Result;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// A worktree whose row followed it.
#[derive(Debug, Clone)]
pub struct Relocated {
    pub branch: String,
    pub from: PathBuf,
    pub to: PathBuf,
}

/// Moves the rows of repository `repo_id` (main checkout `main_root`) whose directory is gone to
/// where git now has their branch checked out. Rows with an operation under way are left to it.
pub fn relocate(conn: &Connection, repo_id: i64, main_root: &Path) -> Result<Vec<Relocated>> {
    let rows = WorktreeRow::list(conn, repo_id)?;
    if rows.iter().all(|r| r.operation.is_some() || r.path.is_dir()) {
        return Ok(Vec::new());
    }
    let listed = git::list_worktrees(main_root)?;
    let mut moved = Vec::new();
    for row in rows.iter().filter(|r| r.operation.is_none() && !r.path.is_dir()) {
        let found = listed.iter().skip(1).find(|w| {
            w.branch.as_deref() == Some(row.branch.as_str())
                && w.path.is_dir()
                && !rows.iter().any(|r| same_path(&r.path, &w.path))
        });
        let Some(found) = found else { continue };
        // Another repository's row at that path would make the move ambiguous: leave it.
        if WorktreeRow::find_by_path(conn, &found.path)?.is_some() {
            continue;
        }
        WorktreeRow::set_path(conn, row.id, &found.path)?;
        moved.push(Relocated { branch: row.branch.clone(), from: row.path.clone(), to: found.path.clone() });
    }
    Ok(moved)
}
