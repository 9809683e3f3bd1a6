//! The worktree registry and its port leases.

use anyhow::Result;
use indexmap::IndexMap;
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorktreeState {
    /// `add` is under way, or its process died half-way (see [`WorktreeRow::owner`]).
    Creating,
    Ready,
}

/// An operation under way on a row; settled rows have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Add,
    /// Registering a worktree git already has (the checkout is the user's, never undone).
    Adopt,
    Remove,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Add => "add",
            Operation::Adopt => "adopt",
            Operation::Remove => "remove",
        }
    }
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
    /// What is under way, if anything.
    pub operation: Option<Operation>,
    /// The lock-file token of the process doing `operation` (see [`super::OpLock`]).
    pub owner: Option<String>,
    pub owner_pid: Option<u32>,
    /// The last completed step of `operation` (add: [`ADD_STEP_RENDERED`] means finished but
    /// for marking the row ready).
    pub step: u32,
    /// The add created the branch: rolling it back deletes it.
    pub created_branch: bool,
    /// The outermost directory the add created for the worktree.
    pub created_dir: Option<PathBuf>,
    /// The remove was asked to delete the branch: 1 only when merged, 2 even unmerged.
    pub delete_branch: u8,
    /// The engine the stack runs on, as the branch was added with it (`None`: the local one).
    pub engine: Option<String>,
    /// The address that engine resolved to, which keys the leases ('' for the local engine).
    pub engine_id: String,
}

/// The add step after which only marking the row ready remains (files rendered).
pub const ADD_STEP_RENDERED: u32 = 4;

const COLUMNS: &str = "id, repo_id, branch, path, project, slot, state, operation, owner, owner_pid, step,
    created_branch, created_dir, delete_branch, engine, engine_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WorktreeRow> {
    let state: String = r.get(6)?;
    let operation = match r.get::<_, Option<String>>(7)?.as_deref() {
        Some("add") => Some(Operation::Add),
        Some("adopt") => Some(Operation::Adopt),
        Some("remove") => Some(Operation::Remove),
        _ => None,
    };
    Ok(WorktreeRow {
        id: r.get(0)?,
        repo_id: r.get(1)?,
        branch: r.get(2)?,
        path: PathBuf::from(r.get::<_, String>(3)?),
        project: r.get(4)?,
        slot: r.get(5)?,
        state: if state == "ready" { WorktreeState::Ready } else { WorktreeState::Creating },
        ports: IndexMap::new(),
        operation,
        owner: r.get(8)?,
        owner_pid: r.get(9)?,
        step: r.get(10)?,
        created_branch: r.get(11)?,
        created_dir: r.get::<_, Option<String>>(12)?.map(PathBuf::from),
        delete_branch: r.get(13)?,
        engine: r.get(14)?,
        engine_id: r.get(15)?,
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

    pub fn find(conn: &Connection, id: i64) -> Result<Option<WorktreeRow>> {
        Ok(query(conn, "WHERE id = ?1", [id])?.pop())
    }

    /// Inserts a worktree in state `creating` with its leases, inside the caller's transaction;
    /// the add is owned by the holder of the lock `owner`.
    pub fn insert(conn: &Connection, new: &NewRow<'_>, leases: &[super::Lease]) -> Result<i64> {
        conn.execute(
            "INSERT INTO worktrees (repo_id, branch, path, project, slot, operation, owner, owner_pid,
                                    created_branch, created_dir, engine, engine_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?10, ?6, ?7, ?8, ?9, ?11, ?12)",
            params![
                new.repo_id,
                new.branch,
                new.path.to_string_lossy(),
                new.project,
                new.slot,
                new.owner,
                std::process::id(),
                new.created_branch,
                new.created_dir.map(|d| d.to_string_lossy().into_owned()),
                new.operation.as_str(),
                new.engine,
                new.engine_id,
            ],
        )?;
        let id = conn.last_insert_rowid();
        super::leases::insert_leases(conn, id, leases)?;
        Ok(id)
    }

    /// Records that step `step` of the row's operation is done.
    pub fn record_step(conn: &Connection, id: i64, step: u32) -> Result<()> {
        conn.execute("UPDATE worktrees SET step = ?2 WHERE id = ?1", params![id, step])?;
        Ok(())
    }

    /// The add is complete: the row is an ordinary worktree, owned by nobody.
    pub fn mark_ready(conn: &Connection, id: i64) -> Result<()> {
        conn.execute(
            "UPDATE worktrees SET state = 'ready', operation = NULL, owner = NULL, owner_pid = NULL,
                                  step = 0
             WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    /// Records that a remove owned by `owner` is under way; false when another operation
    /// already is (the row is then left alone).
    pub fn begin_remove(conn: &Connection, id: i64, owner: &str, delete_branch: u8) -> Result<bool> {
        let changed = conn.execute(
            "UPDATE worktrees SET operation = 'remove', owner = ?2, owner_pid = ?3, step = 0,
                                  delete_branch = ?4
             WHERE id = ?1 AND operation IS NULL",
            params![id, owner, std::process::id(), delete_branch],
        )?;
        Ok(changed == 1)
    }

    /// Hands the row's operation to the holder of the lock `owner` (who takes over an
    /// abandoned one), if it is still owned by `previous`.
    pub fn take_over(conn: &Connection, id: i64, previous: Option<&str>, owner: &str) -> Result<bool> {
        let changed = conn.execute(
            "UPDATE worktrees SET owner = ?3, owner_pid = ?4
             WHERE id = ?1 AND operation IS NOT NULL AND owner IS ?2",
            params![id, previous, owner, std::process::id()],
        )?;
        Ok(changed == 1)
    }

    /// The worktree now lives at `path` (moved with its repository); its project, slot and
    /// leases stay.
    pub fn set_path(conn: &Connection, id: i64, path: &Path) -> Result<()> {
        conn.execute("UPDATE worktrees SET path = ?2 WHERE id = ?1", params![id, path.to_string_lossy()])?;
        Ok(())
    }

    /// Removes the registry row; its leases go with it.
    pub fn delete(conn: &Connection, id: i64) -> Result<()> {
        conn.execute("DELETE FROM worktrees WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Whether an operation is under way on this row and its process (or a child doing its
    /// work) is alive.
    pub fn is_owned(&self, home: &Path) -> Result<bool> {
        if self.operation.is_none() {
            return Ok(false);
        }
        super::OpLock::is_held(home, self.owner.as_deref())
    }

    /// Whether this row is an operation whose process is gone: it needs rolling back or
    /// finishing (`cfn doctor --fix`, `cfn worktree prune`).
    pub fn is_abandoned(&self, home: &Path) -> Result<bool> {
        Ok(self.operation.is_some() && !self.is_owned(home)?)
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

/// What `add` records about a new row.
pub struct NewRow<'a> {
    /// [`Operation::Add`] or [`Operation::Adopt`].
    pub operation: Operation,
    pub repo_id: i64,
    pub branch: &'a str,
    pub path: &'a Path,
    pub project: &'a str,
    pub slot: u32,
    pub owner: &'a str,
    pub created_branch: bool,
    pub created_dir: Option<&'a Path>,
    /// The engine the branch's stack runs on (`None`: the local one) and its ID ('' local).
    pub engine: Option<&'a str>,
    pub engine_id: &'a str,
}

#[cfg(test)]
impl<'a> NewRow<'a> {
    /// A finished-looking add for tests that need rows and leases, not the operation record.
    pub fn for_test(repo_id: i64, branch: &'a str, path: &'a Path, slot: u32) -> NewRow<'a> {
        NewRow {
            operation: Operation::Add,
            repo_id,
            branch,
            path,
            project: branch,
            slot,
            owner: "test",
            created_branch: false,
            created_dir: None,
            engine: None,
            engine_id: "",
        }
    }
}

/// The owner tokens of every row with an operation under way, on the machine.
pub fn owner_tokens(conn: &Connection) -> Result<std::collections::HashSet<String>> {
    let mut stmt = conn.prepare_cached("SELECT owner FROM worktrees WHERE owner IS NOT NULL")?;
    let tokens = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(tokens)
}
