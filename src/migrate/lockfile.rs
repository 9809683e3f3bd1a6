//! The SQLite migrator lock: an exclusive SQLite lock on a small database next to the real one.
//!
//! SQLite has no lock that outlives a transaction, and holding a write transaction on the
//! database itself for a whole run would block every other writer (cfn's port allocations)
//! and rule out `-- cfn:no-transaction` scripts. So a migrator opens a second connection, to
//! `<database>.migrate-lock`, and holds `BEGIN EXCLUSIVE` on it until it unlocks. That gives,
//! with no extra crate and no `unsafe`: waiting with a timeout (the connection's busy timeout),
//! exclusion between processes and between connections of one process (SQLite tracks its
//! locks per file, not per process), and release by the operating system when a migrator dies,
//! so a crash never leaves a stale lock. The file stays: deleting a lock file lets two
//! processes lock two different files of the same name. It never holds any data.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::error::MigrateError;

/// A held lock; dropping it (closing the connection) releases the lock.
#[derive(Debug)]
pub struct LockFile {
    conn: Connection,
    path: PathBuf,
}

impl LockFile {
    /// The lock file guarding the database file at `db`.
    pub fn path_for(db: &Path) -> PathBuf {
        let mut name = db.as_os_str().to_owned();
        name.push(".migrate-lock");
        PathBuf::from(name)
    }

    /// Locks `path`, creating it if needed, waiting at most `timeout` for another holder.
    pub fn acquire(path: &Path, timeout: Duration) -> Result<LockFile, MigrateError> {
        let fail = |e: rusqlite::Error| {
            let busy = e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy);
            if busy {
                MigrateError::LockTimeout { path: path.to_path_buf(), waited: timeout }
            } else {
                MigrateError::database(&format!("locking {}", path.display()), e)
            }
        };
        // Never through a link (a checkout could commit one in `.cfn/data`), and private.
        let flags = OpenFlags::default() | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let conn = Connection::open_with_flags(path, flags).map_err(fail)?;
        private(path);
        conn.busy_timeout(timeout).map_err(fail)?;
        conn.execute_batch("BEGIN EXCLUSIVE").map_err(fail)?;
        Ok(LockFile { conn, path: path.to_path_buf() })
    }

    /// Releases the lock now, reporting a failure that dropping would hide.
    pub fn release(self) -> Result<(), MigrateError> {
        let action = format!("unlocking {}", self.path.display());
        self.conn.execute_batch("ROLLBACK").map_err(|e| MigrateError::database(&action, e))?;
        self.conn.close().map_err(|(_, e)| MigrateError::database(&action, e))
    }
}

/// Makes the lock file readable by its owner only (it holds no data, but sits beside data).
fn private(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    // Best effort: a lock on a read-only or foreign file still locks.
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}
