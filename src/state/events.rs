//! The log of what happened to the registry itself (migration 0008): damaged databases moved
//! aside and repositories rebuilt, for `cfn doctor` to show.

use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension as _};
use std::path::Path;

/// One entry of the log.
#[derive(Debug, Clone)]
pub struct RegistryEvent {
    /// `2026-11-29T14:05:01Z`.
    pub at: String,
    pub message: String,
    /// Whether it happened less than a day ago.
    pub recent: bool,
}

/// Records that the damaged database was moved to `aside`.
pub fn record_set_aside(conn: &Connection, aside: &Path) -> Result<()> {
    conn.execute(
        "INSERT INTO registry_events (kind, message) VALUES ('set_aside', ?1)",
        [format!("the damaged state database was kept as {}", aside.display())],
    )?;
    Ok(())
}

/// Records that the worktrees of the repository at `root` were registered again, inside the
/// caller's transaction.
pub fn record_rebuilt(conn: &Connection, root: &Path, message: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO registry_events (kind, repo_root, message) VALUES ('rebuilt', ?1, ?2)",
        params![root.to_string_lossy(), message],
    )?;
    Ok(())
}

/// The latest database set aside on this machine.
pub fn last_set_aside(conn: &Connection) -> Result<Option<RegistryEvent>> {
    last(conn, "kind = 'set_aside'", params![])
}

/// The latest rebuild of the repository at `root`.
pub fn last_rebuilt(conn: &Connection, root: &Path) -> Result<Option<RegistryEvent>> {
    last(conn, "kind = 'rebuilt' AND repo_root = ?1", params![root.to_string_lossy()])
}

fn last(conn: &Connection, filter: &str, args: impl rusqlite::Params) -> Result<Option<RegistryEvent>> {
    let sql = format!(
        "SELECT at, message, at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')
           FROM registry_events WHERE {filter} ORDER BY id DESC LIMIT 1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let event = stmt
        .query_row(args, |r| Ok(RegistryEvent { at: r.get(0)?, message: r.get(1)?, recent: r.get(2)? }))
        .optional()?;
    Ok(event)
}
