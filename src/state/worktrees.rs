//! The worktree registry and its port leases.

use anyhow::Result;
use indexmap::IndexMap;
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorktreeState {
    /// `add` is under way (or died half-way: `prune` clears it when the directory is gone).
    Creating,
    Ready,
}

#[derive(Debug, Clone)]
pub struct WorktreeRow {
    pub id: i64,
    pub repo_id: i64,
    pub branch: String,
    pub path: PathBuf,
    pub project: String,
    pub slot: u32,
    pub state: WorktreeState,
    /// Port key → leased host port.
    pub ports: IndexMap<String, u16>,
}

/// A row left in `creating` this long is an add that died, not one still under way.
pub const STALE_CREATING_SECS: i64 = 600;

const COLUMNS: &str = "id, repo_id, branch, path, project, slot, state";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WorktreeRow> {
    let state: String = r.get(6)?;
    Ok(WorktreeRow {
        id: r.get(0)?,
        repo_id: r.get(1)?,
        branch: r.get(2)?,
        path: PathBuf::from(r.get::<_, String>(3)?),
        project: r.get(4)?,
        slot: r.get(5)?,
        state: if state == "ready" { WorktreeState::Ready } else { WorktreeState::Creating },
        ports: IndexMap::new(),
    })
}

fn with_ports(conn: &Connection, mut rows: Vec<WorktreeRow>) -> Result<Vec<WorktreeRow>> {
    for wt in &mut rows {
        wt.ports = super::leases::ports_of(conn, wt.id)?;
    }
    Ok(rows)
}

fn query(conn: &Connection, filter: &str, args: impl rusqlite::Params) -> Result<Vec<WorktreeRow>> {
    let sql = format!("SELECT {COLUMNS} FROM worktrees {filter}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(args, row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    with_ports(conn, rows)
}

impl WorktreeRow {
    pub fn find_by_branch(conn: &Connection, repo_id: i64, branch: &str) -> Result<Option<WorktreeRow>> {
        Ok(query(conn, "WHERE repo_id = ?1 AND branch = ?2", params![repo_id, branch])?.pop())
    }

    pub fn find_by_path(conn: &Connection, path: &Path) -> Result<Option<WorktreeRow>> {
        Ok(query(conn, "WHERE path = ?1", [path.to_string_lossy()])?.pop())
    }

    /// The worktrees of one repository, by slot.
    pub fn list(conn: &Connection, repo_id: i64) -> Result<Vec<WorktreeRow>> {
        query(conn, "WHERE repo_id = ?1 ORDER BY slot", [repo_id])
    }

    /// Inserts a worktree in state `creating` with its leases, inside the caller's transaction.
    pub fn insert(
        conn: &Connection,
        repo_id: i64,
        branch: &str,
        path: &Path,
        project: &str,
        slot: u32,
        leases: &[super::Lease],
    ) -> Result<i64> {
        conn.execute(
            "INSERT INTO worktrees (repo_id, branch, path, project, slot) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![repo_id, branch, path.to_string_lossy(), project, slot],
        )?;
        let id = conn.last_insert_rowid();
        super::leases::insert_leases(conn, id, leases)?;
        Ok(id)
    }

    pub fn mark_ready(conn: &Connection, id: i64) -> Result<()> {
        conn.execute("UPDATE worktrees SET state = 'ready' WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Removes the registry row; its leases go with it.
    pub fn delete(conn: &Connection, id: i64) -> Result<()> {
        conn.execute("DELETE FROM worktrees WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Whether this row is an add that died (still `creating` after [`STALE_CREATING_SECS`]),
    /// not one still under way in another process.
    pub fn is_abandoned(&self, conn: &Connection) -> Result<bool> {
        if self.state != WorktreeState::Creating {
            return Ok(false);
        }
        let age: i64 = conn.query_row(
            "SELECT CAST(strftime('%s', 'now') AS INTEGER) - CAST(strftime('%s', created_at) AS INTEGER)
               FROM worktrees WHERE id = ?1",
            [self.id],
            |r| r.get(0),
        )?;
        Ok(age >= STALE_CREATING_SECS)
    }

    /// Whether a compose project name is used by any repository or worktree on the machine.
    pub fn project_taken(conn: &Connection, name: &str) -> Result<bool> {
        Ok(conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM repositories WHERE project = ?1)
                OR EXISTS(SELECT 1 FROM worktrees WHERE project = ?1)",
            [name],
            |r| r.get(0),
        )?)
    }
}
