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
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RepoRow> {
    Ok(RepoRow { id: r.get(0)?, root: PathBuf::from(r.get::<_, String>(1)?), project: r.get(2)? })
}

pub fn find_repository(conn: &Connection, root: &Path) -> Result<Option<RepoRow>> {
    Ok(conn
        .query_row(
            "SELECT id, root, project FROM repositories WHERE root = ?1",
            [root.to_string_lossy()],
            row,
        )
        .optional()?)
}

pub fn list_repositories(conn: &Connection) -> Result<Vec<RepoRow>> {
    let mut stmt = conn.prepare("SELECT id, root, project FROM repositories ORDER BY root")?;
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
            let project = if super::WorktreeRow::project_taken(conn, wanted)? {
                crate::names::disambiguated(wanted, &root_text)
            } else {
                wanted.to_string()
            };
            conn.execute(
                "INSERT INTO repositories (root, project) VALUES (?1, ?2)",
                params![root_text, project],
            )?;
            RepoRow { id: conn.last_insert_rowid(), root: root.to_path_buf(), project }
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

/// The main checkout's ports of a repository, by key, in key order.
pub fn base_ports_of(conn: &Connection, repo_id: i64) -> Result<Vec<(String, u16)>> {
    let mut stmt =
        conn.prepare_cached("SELECT key, port FROM base_ports WHERE repo_id = ?1 ORDER BY rowid")?;
    let rows =
        stmt.query_map([repo_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
