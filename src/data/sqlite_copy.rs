//! Copying a SQLite database with SQLite's online backup API: consistent even while another
//! process writes to the source (the backup restarts its pages when the source changes), where
//! a plain file copy could catch a half-written page. The copy goes to `<dest>.cfn-tmp` and is
//! renamed over the destination only when complete.

use anyhow::{Context as _, Result};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Copies `from` to `to` (replacing it) through the backup API.
pub fn copy(from: &Path, to: &Path) -> Result<()> {
    let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", from.display()))?;
    source.busy_timeout(Duration::from_secs(10))?;
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = tmp_path(to);
    let _ = std::fs::remove_file(&tmp);
    let result = (|| -> Result<()> {
        let mut dest = Connection::open(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        Backup::new(&source, &mut dest)?
            .run_to_completion(256, Duration::from_millis(5), None)
            .with_context(|| format!("backing up {}", from.display()))?;
        drop(dest);
        std::fs::rename(&tmp, to).with_context(|| format!("cannot replace {}", to.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn tmp_path(to: &Path) -> PathBuf {
    let mut name = to.file_name().unwrap_or_default().to_os_string();
    name.push(".cfn-tmp");
    to.with_file_name(name)
}

/// The highest migration version recorded in a cfn-migrated SQLite database, if any.
pub fn migration_version(db: &Path) -> Option<i64> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    conn.query_row("SELECT MAX(version) FROM cfn_schema_migrations", [], |r| r.get::<_, Option<i64>>(0))
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_while_a_writer_holds_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("a.db"), dir.path().join("b.db"));
        let writer = Connection::open(&src).unwrap();
        writer
            .execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(v); INSERT INTO t VALUES (1);")
            .unwrap();
        // an open write transaction: its row must not be in the copy
        writer.execute_batch("BEGIN; INSERT INTO t VALUES (2);").unwrap();
        copy(&src, &dst).unwrap();
        writer.execute_batch("COMMIT;").unwrap();
        let copied = Connection::open(&dst).unwrap();
        let n: i64 = copied.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
        assert!(!tmp_path(&dst).exists());
    }
}
