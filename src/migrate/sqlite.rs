//! The SQLite target: cfn's state database and the branch databases under `.cfn/data/`.
//!
//! Bookkeeping lives in `cfn_schema_migrations`, created on the first apply (reading an
//! unmigrated database creates nothing, so `status` and `--dry-run` never write).
//!
//! Two layers keep concurrent migrators (threads or processes, each with its own connection)
//! from applying a migration twice:
//!
//! 1. `lock` holds an SQLite lock on `<database>.migrate-lock` for the whole run
//!    ([`super::lockfile`]): the engine reads, plans and applies with no other migrator in
//!    between; a second one waits (the lock timeout, 60 s by default), then has nothing to do.
//! 2. Each apply and revert runs in `BEGIN IMMEDIATE`, which takes SQLite's write lock first
//!    (waiting under the connection's `busy_timeout`), and re-reads the migration's row inside
//!    that transaction: already recorded means [`MigrateError::AlreadyApplied`] and nothing
//!    runs. This keeps a wrapped migration exactly-once even for a migrator that bypassed the
//!    lock. A `-- cfn:no-transaction` script runs outside any transaction, so for it only the
//!    first layer holds.
//!
//! In-memory and temporary databases have no file to lock; no other connection can see them,
//! so `lock` is a no-op there. The caller opens the connection (WAL mode and a `busy_timeout`
//! are expected) and keeps it: the target only borrows it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::error::MigrateError;
use super::lockfile::LockFile;
use super::script::{down_label, transaction_mode, TxMode};
use super::source::Migration;
use super::target::{Applied, Target};

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS cfn_schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL, duration_ms INTEGER NOT NULL, down_sql TEXT)";

const TABLE_EXISTS: &str =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cfn_schema_migrations'";

pub struct SqliteTarget<'c> {
    conn: &'c mut Connection,
    lock_timeout: Duration,
    lock: Option<LockFile>,
}

impl<'c> SqliteTarget<'c> {
    pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

    pub fn new(conn: &'c mut Connection) -> Self {
        SqliteTarget { conn, lock_timeout: Self::DEFAULT_LOCK_TIMEOUT, lock: None }
    }

    /// How long `lock` waits for another migrator before failing (tests shorten it).
    #[cfg(test)]
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    fn lock_path(&self) -> Option<PathBuf> {
        let db = self.conn.path().filter(|p| !p.is_empty())?;
        Some(LockFile::path_for(Path::new(db)))
    }

    /// Runs a `-- cfn:no-transaction` script as written; on failure ends any transaction it
    /// left open, so the connection is usable again.
    fn run_unwrapped(&mut self, sql: &str) -> rusqlite::Result<()> {
        let result = self.conn.execute_batch(sql);
        if result.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        result
    }
}

fn db(action: &'static str) -> impl FnOnce(rusqlite::Error) -> MigrateError {
    move |e| MigrateError::database(action, e)
}

fn failed<'a>(
    version: i64,
    name: &'a str,
    script: &'a str,
) -> impl FnOnce(rusqlite::Error) -> MigrateError + 'a {
    move |e| MigrateError::Script {
        version,
        name: name.to_string(),
        script: script.to_string(),
        source: Box::new(e),
    }
}

fn ensure_table(conn: &Connection) -> Result<(), MigrateError> {
    conn.execute_batch(CREATE_TABLE).map_err(db("creating cfn_schema_migrations"))
}

fn is_recorded(conn: &Connection, version: i64) -> Result<bool, MigrateError> {
    conn.query_row("SELECT 1 FROM cfn_schema_migrations WHERE version = ?1", [version], |_| Ok(()))
        .optional()
        .map(|row| row.is_some())
        .map_err(db("reading applied migrations"))
}

impl Target for SqliteTarget<'_> {
    fn lock(&mut self) -> Result<(), MigrateError> {
        if self.lock.is_some() {
            return Ok(());
        }
        if let Some(path) = self.lock_path() {
            self.lock = Some(LockFile::acquire(&path, self.lock_timeout)?);
        }
        Ok(())
    }

    fn unlock(&mut self) -> Result<(), MigrateError> {
        match self.lock.take() {
            Some(held) => held.release(),
            None => Ok(()),
        }
    }

    fn applied(&mut self) -> Result<Vec<Applied>, MigrateError> {
        let action = "reading applied migrations";
        let exists = self.conn.query_row(TABLE_EXISTS, [], |_| Ok(())).optional();
        if exists.map_err(db(action))?.is_none() {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT version, name, checksum, applied_at, duration_ms, down_sql
                 FROM cfn_schema_migrations ORDER BY version",
            )
            .map_err(db(action))?;
        let rows = stmt
            .query_map([], |row| {
                Ok(Applied {
                    version: row.get(0)?,
                    name: row.get(1)?,
                    checksum: row.get(2)?,
                    applied_at: row.get(3)?,
                    duration_ms: row.get(4)?,
                    down: row.get(5)?,
                })
            })
            .map_err(db(action))?;
        rows.collect::<Result<_, _>>().map_err(db(action))
    }

    fn apply(&mut self, m: &Migration) -> Result<Applied, MigrateError> {
        let mode = transaction_mode(&m.up, &m.file)?;
        let fail = || failed(m.version, &m.name, &m.file);
        let already = || MigrateError::AlreadyApplied { version: m.version, name: m.name.clone() };
        let started = Instant::now();
        if mode == TxMode::NoTransaction {
            ensure_table(self.conn)?;
            if is_recorded(self.conn, m.version)? {
                return Err(already());
            }
            self.run_unwrapped(&m.up).map_err(fail())?;
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("starting a transaction"))?;
        ensure_table(&tx)?;
        if is_recorded(&tx, m.version)? {
            return Err(already());
        }
        if mode == TxMode::Wrapped {
            tx.execute_batch(&m.up).map_err(fail())?;
        }
        let applied = Applied::now(m, started);
        tx.execute(
            "INSERT INTO cfn_schema_migrations
             (version, name, checksum, applied_at, duration_ms, down_sql)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                applied.version,
                applied.name,
                applied.checksum,
                applied.applied_at,
                applied.duration_ms,
                applied.down
            ],
        )
        .map_err(db("recording an applied migration"))?;
        crate::crash_point::reached("migrate", 2);
        tx.commit().map_err(db("committing a migration"))?;
        Ok(applied)
    }

    fn revert(&mut self, a: &Applied) -> Result<(), MigrateError> {
        let down = a
            .down
            .as_deref()
            .ok_or_else(|| MigrateError::NoDownScript { version: a.version, name: a.name.clone() })?;
        let mode = transaction_mode(down, &down_label(a.version, &a.name))?;
        let fail = || failed(a.version, &a.name, "its down script");
        let gone = || MigrateError::NotApplied { version: a.version, name: a.name.clone() };
        if mode == TxMode::NoTransaction {
            if !is_recorded(self.conn, a.version)? {
                return Err(gone());
            }
            self.run_unwrapped(down).map_err(fail())?;
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("starting a transaction"))?;
        if !is_recorded(&tx, a.version)? {
            return Err(gone());
        }
        if mode == TxMode::Wrapped {
            tx.execute_batch(down).map_err(fail())?;
        }
        tx.execute("DELETE FROM cfn_schema_migrations WHERE version = ?1", [a.version])
            .map_err(db("deleting a reverted migration"))?;
        tx.commit().map_err(db("committing a revert"))
    }
}
