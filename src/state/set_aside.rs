//! A damaged state database is moved aside, never overwritten or deleted: the file (with its
//! `-wal` and `-shm` companions, which belong to it and must never be replayed into a new
//! database) becomes `state.db.corrupt-<UTC timestamp>`, and a new database takes its place.
//!
//! Two cfn processes may find the damage at once: the move happens under an exclusive lock on
//! `$CFN_HOME/state.lock`, and the file is checked again under it, so the second process finds
//! the new database and moves nothing.

use anyhow::{Context as _, Result};
use rusqlite::{Connection, ErrorCode};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

/// Whether SQLite's error says the file is not a database or a damaged one.
pub fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

/// Moves the damaged database `db` aside; the path it now has, or `None` when another process
/// already did (the file is no longer damaged).
pub fn set_aside(home: &Path, db: &Path) -> Result<Option<PathBuf>> {
    let lock_path = home.join("state.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&lock_path)
        .with_context(|| format!("cannot create {}", lock_path.display()))?;
    lock.lock().with_context(|| format!("cannot lock {}", lock_path.display()))?;
    if !still_damaged(db) {
        return Ok(None);
    }
    let aside = free_name(db, &timestamp()?);
    std::fs::rename(db, &aside)
        .with_context(|| format!("cannot move {} to {}", db.display(), aside.display()))?;
    for companion in ["-wal", "-shm"] {
        let from = with_suffix(db, companion);
        if from.exists() {
            let to = with_suffix(&aside, companion);
            std::fs::rename(&from, &to)
                .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))?;
        }
    }
    Ok(Some(aside))
}

/// Reads the header and the schema: only a file SQLite calls damaged, or another program's
/// database, counts (a missing one, or one another process has just replaced, does not).
fn still_damaged(db: &Path) -> bool {
    if !db.exists() {
        return false;
    }
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let read = Connection::open_with_flags(db, flags).and_then(|c| super::ownership::is_foreign(&c));
    match read {
        Ok(foreign) => foreign,
        Err(e) => is_damage(&e),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// `state.db.corrupt-<stamp>`, or with `-2`, `-3`… when a file of that name exists already.
fn free_name(db: &Path, stamp: &str) -> PathBuf {
    let first = with_suffix(db, &format!(".corrupt-{stamp}"));
    let mut candidate = first.clone();
    let mut n = 2;
    while candidate.exists() {
        candidate = with_suffix(&first, &format!("-{n}"));
        n += 1;
    }
    candidate
}

/// The current UTC time as `20261129T140501Z` (SQLite's clock, so no date library is needed).
fn timestamp() -> Result<String> {
    let conn = Connection::open_in_memory()?;
    Ok(conn.query_row("SELECT strftime('%Y%m%dT%H%M%SZ', 'now')", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_file_and_its_companions_move_aside_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("state.db");
        std::fs::write(&db, vec![7u8; 4096]).unwrap();
        std::fs::write(dir.path().join("state.db-wal"), b"old wal").unwrap();
        let aside = set_aside(dir.path(), &db).unwrap().expect("moved");
        assert!(!db.exists() && !dir.path().join("state.db-wal").exists());
        assert_eq!(std::fs::read(&aside).unwrap(), vec![7u8; 4096]);
        assert_eq!(std::fs::read(with_suffix(&aside, "-wal")).unwrap(), b"old wal");
        assert!(aside.file_name().unwrap().to_string_lossy().starts_with("state.db.corrupt-20"));
        // a healthy database of cfn's in its place is left alone
        let id = super::super::ownership::APPLICATION_ID;
        Connection::open(&db)
            .unwrap()
            .execute_batch(&format!("PRAGMA application_id = {id}; CREATE TABLE t (x)"))
            .unwrap();
        assert_eq!(set_aside(dir.path(), &db).unwrap(), None);
        // a second damaged file gets a name of its own
        std::fs::write(&db, vec![9u8; 4096]).unwrap();
        let second = set_aside(dir.path(), &db).unwrap().expect("moved");
        assert_ne!(second, aside);
        assert_eq!(std::fs::read(&aside).unwrap(), vec![7u8; 4096], "the first is never overwritten");
    }
}
