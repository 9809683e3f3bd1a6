//! Repositories known to cfn, with their main checkout's project name and base ports.

use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension as _};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct RepoRow {
    pub id: i64,
    pub root: PathBuf,
    /// The compose project name of the main checkout, unique on the machine.
    pub project: String,
    /// The id stored in the repository's git directory ([`crate::state::repository_id`]); `None` for a row
    /// registered before ids existed, until the next command in its checkout.
    pub uid: Option<String>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RepoRow> {
    Ok(RepoRow {
        id: r.get(0)?,
        root: PathBuf::from(r.get::<_, String>(1)?),
        project: r.get(2)?,
        uid: r.get(3)?,
    })
}

pub fn find_repository(conn: &Connection, root: &Path) -> Result<Option<RepoRow>> {
    Ok(conn
        .query_row(
            "SELECT id, root, project, uid FROM repositories WHERE root = ?1",
            [root.to_string_lossy()],
            row,
        )
        .optional()?)
}

/// The repository whose git directory holds the id `uid`, wherever it was last seen.
pub fn find_repository_by_uid(conn: &Connection, uid: &str) -> Result<Option<RepoRow>> {
    Ok(conn
        .query_row("SELECT id, root, project, uid FROM repositories WHERE uid = ?1", [uid], row)
        .optional()?)
}

/// Records the id of a repository registered before ids existed.
pub fn set_repository_uid(conn: &Connection, id: i64, uid: &str) -> Result<()> {
    conn.execute("UPDATE repositories SET uid = ?2 WHERE id = ?1", params![id, uid])?;
    Ok(())
}

/// The repository's main checkout is now at `root` (it was moved or renamed); its project
/// name, worktrees and leases stay its own.
pub fn move_repository(conn: &Connection, id: i64, root: &Path) -> Result<()> {
    conn.execute("UPDATE repositories SET root = ?2 WHERE id = ?1", params![id, root.to_string_lossy()])?;
    Ok(())
}

/// The marker that replaces the root of a repository whose place another checkout took: not a
/// path, so no checkout is ever found by it, and the repository is re-attached by its id when
/// its checkout shows up elsewhere.
pub fn unplaced_root(root: &Path, uid: &str) -> String {
    format!("{} (moved away: {uid})", root.display())
}

/// Gives up the repository's root to the other checkout now there (see [`unplaced_root`]).
pub fn unplace_repository(conn: &Connection, repo: &RepoRow) -> Result<()> {
    let uid = repo.uid.clone().unwrap_or_else(|| format!("row {}", repo.id));
    conn.execute(
        "UPDATE repositories SET root = ?2 WHERE id = ?1",
        params![repo.id, unplaced_root(&repo.root, &uid)],
    )?;
    Ok(())
}

pub fn list_repositories(conn: &Connection) -> Result<Vec<RepoRow>> {
    let mut stmt = conn.prepare("SELECT id, root, project, uid FROM repositories ORDER BY root")?;
    let rows = stmt.query_map([], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Registers the repository (or refreshes its base ports), inside the caller's transaction.
/// A project name already used by another repository gets a short hash of this root appended,
/// so two clones of one project never share a compose project.
pub fn ensure_repository(
    conn: &Connection,
    root: &Path,
    wanted: &str,
    base_ports: &[(String, u16)],
) -> Result<RepoRow> {
    let root_text = root.to_string_lossy();
    let repo = match find_repository(conn, root)? {
        Some(repo) => repo,
        None => {
            let project = free_project_name(conn, wanted, &root_text)?;
            conn.execute(
                "INSERT INTO repositories (root, project) VALUES (?1, ?2)",
                params![root_text, project],
            )?;
            RepoRow { id: conn.last_insert_rowid(), root: root.to_path_buf(), project, uid: None }
        }
    };
    if base_ports_of(conn, repo.id)? == base_ports {
        return Ok(repo);
    }
    conn.execute("DELETE FROM base_ports WHERE repo_id = ?1", [repo.id])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO base_ports (repo_id, key, port) VALUES (?1, ?2, ?3)")?;
    for (key, port) in base_ports {
        insert.execute(params![repo.id, key, port])?;
    }
    Ok(repo)
}

/// `wanted`, or when another repository or worktree has it, `wanted` with a short hash of this
/// root appended — salted until free, since that name too may be taken (by a checkout that was
/// registered at this root before and moved away).
fn free_project_name(conn: &Connection, wanted: &str, root_text: &str) -> Result<String> {
    if !super::WorktreeRow::project_taken(conn, wanted)? {
        return Ok(wanted.to_string());
    }
    let mut salt = 0u32;
    loop {
        let seed = if salt == 0 { root_text.to_string() } else { format!("{root_text}#{salt}") };
        let name = crate::names::disambiguated(wanted, &seed);
        if !super::WorktreeRow::project_taken(conn, &name)? {
            return Ok(name);
        }
        salt += 1;
    }
}

/// The main checkout's ports of a repository, by key, in key order.
pub fn base_ports_of(conn: &Connection, repo_id: i64) -> Result<Vec<(String, u16)>> {
    let mut stmt =
        conn.prepare_cached("SELECT key, port FROM base_ports WHERE repo_id = ?1 ORDER BY rowid")?;
    let rows =
        stmt.query_map([repo_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
