//! The embedded bus: the same operations and guarantees as the Redis bus, in one SQLite file
//! (usually the worktree's `.cfn/bus.sqlite`), for single-machine runs without a Redis server.
//!
//! The file mirrors Redis: a `kv` table (strings, and hashes through `field`) and a `stream`
//! table of append-only entries, both keyed by the key strings of `keys.rs`, every row with an
//! `expires_at` (NOT NULL, so no row can be written without a TTL). A stream's life is one row of
//! `stream_life`, renewed by each append like `PEXPIRE` — one row written per append, never the
//! stream's other entries. Expired rows are invisible to reads and deleted by the next write.
//! WAL mode lets agents read while another process writes; writes take the write lock at once
//! (`BEGIN IMMEDIATE`), wait for it (busy timeout), and a write that still finds the file busy
//! is retried whole (`WRITE_PATIENCE`), so concurrent reporters queue and none is lost.
//! The file is created 0600 and its folder 0700: reports are for the run's eyes only.
//!
//! **How waiters wake: polling, on purpose.** Agents are separate processes and SQLite has no
//! cross-process notification, so a waiter re-runs its query every [`POLL_INTERVAL`] (10 ms)
//! until it finds what it waits for or its deadline passes. Each probe is one indexed read on a
//! WAL database (a write only for a lock attempt on a free lock). A socket notifier would shave
//! those 10 ms but bring back the races this bus exists to avoid (a waiter that crashed, a
//! notification sent before the socket is bound, socket paths too long for deep worktrees).
//! Polling is correct by construction: the state is in the file, a signal sent before the wait is
//! simply found by the first probe, and entries are never consumed, so every waiter finds them.
//! This is the only place in cfn that waits by polling; the Redis bus blocks on the server.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use tokio::time::Instant;

use super::error::{BusError, Result};
use super::keys;

/// How often a waiting probe re-reads the file.
pub const POLL_INTERVAL: Duration = Duration::from_millis(10);
/// How long a statement waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS kv (
    key TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (key, field)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_at);
CREATE TABLE IF NOT EXISTS stream (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stream_key ON stream (key, id);
CREATE INDEX IF NOT EXISTS stream_expiry ON stream (expires_at);
CREATE TABLE IF NOT EXISTS stream_life (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stream_life_expiry ON stream_life (expires_at);
";

/// Files written before streams had a `stream_life` row: give each stream one, once.
const BACKFILL: &str = "
INSERT OR IGNORE INTO stream_life (key, expires_at) SELECT key, max(expires_at) FROM stream GROUP BY key;
PRAGMA user_version = 1;
";

/// How long a write keeps retrying when other processes hold the file's write lock: far
/// longer than any write takes, so that a busy file delays a report and never loses it.
const WRITE_PATIENCE: Duration = Duration::from_secs(60);

/// A bus in one SQLite file; cheap to clone (one shared connection).
#[derive(Clone)]
pub struct EmbeddedBus {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl EmbeddedBus {
    /// Opens (creating if needed) the bus file and its folder.
    pub async fn open(path: &Path) -> Result<EmbeddedBus> {
        let owned = path.to_path_buf();
        let conn = tokio::task::spawn_blocking(move || open_sync(&owned))
            .await
            .map_err(|e| BusError::Worker(e.to_string()))??;
        Ok(EmbeddedBus { conn: Arc::new(Mutex::new(conn)), path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the connection in the blocking pool.
    pub(super) async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| BusError::Worker("connection lock poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| BusError::Worker(e.to_string()))?
    }

    /// Runs `probe` every [`POLL_INTERVAL`] until it finds something or `timeout` has passed;
    /// it runs at least once, so a zero timeout is a plain check.
    pub(super) async fn poll<T, F>(&self, timeout: Duration, probe: F) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: Fn(&mut Connection) -> Result<Option<T>> + Clone + Send + 'static,
    {
        let deadline = Instant::now() + timeout;
        loop {
            let probe = probe.clone();
            if let Some(found) = self.call(move |c| probe(c)).await? {
                return Ok(Some(found));
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Ok(None);
            }
            tokio::time::sleep(remaining.min(POLL_INTERVAL)).await;
        }
    }

    /// Runs `f` in an immediate (write-locked) transaction, after deleting expired rows.
    pub(super) async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(&rusqlite::Transaction<'_>, i64) -> Result<T> + Send + 'static,
    {
        self.call(move |conn| write_sync(conn, f)).await
    }

    /// Rows inserted, updated or deleted on this connection since it opened (for the tests).
    #[cfg(test)]
    pub(crate) async fn rows_changed(&self) -> Result<u64> {
        self.call(|conn| Ok(conn.total_changes())).await
    }

    /// Rows whose TTL is missing or longer than any the bus gives (for the tests).
    #[cfg(test)]
    pub(crate) async fn rows_without_ttl(&self) -> Result<i64> {
        self.call(|conn| {
            let limit = now() + 366 * 24 * 3_600_000;
            conn.query_row(
                "SELECT (SELECT count(*) FROM kv WHERE expires_at IS NULL OR expires_at > ?1)
                      + (SELECT count(*) FROM stream WHERE expires_at IS NULL OR expires_at > ?1)",
                params![limit],
                |row| row.get(0),
            )
            .map_err(BusError::sqlite("ttl check"))
        })
        .await
    }
}

pub(super) fn write_sync<T>(
    conn: &mut Connection,
    f: impl Fn(&rusqlite::Transaction<'_>, i64) -> Result<T>,
) -> Result<T> {
    patiently(|| {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(BusError::sqlite("begin"))?;
        let now = now();
        tx.execute("DELETE FROM kv WHERE expires_at <= ?1", params![now])
            .map_err(BusError::sqlite("expire"))?;
        tx.execute(
            "DELETE FROM stream WHERE key IN (SELECT key FROM stream_life WHERE expires_at <= ?1)",
            params![now],
        )
        .map_err(BusError::sqlite("expire"))?;
        tx.execute("DELETE FROM stream_life WHERE expires_at <= ?1", params![now])
            .map_err(BusError::sqlite("expire"))?;
        let out = f(&tx, now)?;
        tx.commit().map_err(BusError::sqlite("commit"))?;
        Ok(out)
    })
}

/// Runs `attempt` again while SQLite says the file is busy or locked, for up to
/// [`WRITE_PATIENCE`]; any other outcome is returned as it is.
fn patiently<T>(mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
    let deadline = std::time::Instant::now() + WRITE_PATIENCE;
    let mut pause = Duration::from_millis(2);
    loop {
        match attempt() {
            Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

fn is_busy(e: &BusError) -> bool {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    matches!(e, BusError::Sqlite { source: rusqlite::Error::SqliteFailure(f, _), .. }
        if matches!(f.code, DatabaseBusy | DatabaseLocked))
}

/// Appends `value` to stream `key`, renews the whole stream's TTL like `PEXPIRE`, keeps about
/// `cap` entries; returns the new entry's id.
pub(super) fn append(
    tx: &rusqlite::Transaction<'_>,
    now: i64,
    key: &str,
    value: &str,
    cap: usize,
) -> Result<i64> {
    let expires = now + ttl("ttl", keys::DEFAULT_TTL)?;
    tx.execute(
        "INSERT INTO stream (key, value, expires_at) VALUES (?1, ?2, ?3)",
        params![key, value, expires],
    )
    .map_err(BusError::sqlite("append"))?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO stream_life (key, expires_at) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
        params![key, expires],
    )
    .map_err(BusError::sqlite("append"))?;
    // Trim now and then, like Redis's approximate `MAXLEN ~`: ids are shared by all keys.
    if id % 64 == 0 {
        let cap = i64::try_from(cap).unwrap_or(i64::MAX);
        tx.execute(
            "DELETE FROM stream WHERE key = ?1 AND id <= (SELECT id FROM stream WHERE key = ?1
                 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
            params![key, cap],
        )
        .map_err(BusError::sqlite("trim"))?;
    }
    Ok(id)
}

/// The live value of a plain key.
pub(super) fn get(conn: &Connection, key: &str, field: &str) -> Result<Option<String>> {
    conn.query_row(
        "SELECT value FROM kv WHERE key = ?1 AND field = ?2 AND expires_at > ?3",
        params![key, field, now()],
        |row| row.get(0),
    )
    .optional()
    .map_err(BusError::sqlite("get"))
}

/// Milliseconds since the Unix epoch, as SQLite stores them.
pub(super) fn now() -> i64 {
    i64::try_from(super::types::now_ms()).unwrap_or(i64::MAX)
}

/// A checked TTL in milliseconds, as SQLite stores them.
pub(super) fn ttl(what: &'static str, ttl: std::time::Duration) -> Result<i64> {
    Ok(i64::try_from(keys::ttl_ms(what, ttl)?).unwrap_or(i64::MAX))
}

fn open_sync(path: &Path) -> Result<Connection> {
    let shown = path.display().to_string();
    let io = |source| BusError::Io { path: shown.clone(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // inside a checkout, a linked `.cfn` is refused (render::no_follow)
        let (root, rel) = crate::render::no_follow::split(dir);
        if rel.components().next().is_some_and(|c| c.as_os_str() == ".cfn") {
            crate::render::no_follow::open_dir(&root, &rel, Some(0o700)).map_err(|e| BusError::Io {
                path: shown.clone(),
                source: std::io::Error::other(format!("{e:#}")),
            })?;
        } else {
            use std::os::unix::fs::DirBuilderExt as _;
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io)?;
        }
    }
    crate::render::no_follow::refuse_linked_database(path)
        .map_err(|e| BusError::Io { path: shown.clone(), source: std::io::Error::other(format!("{e:#}")) })?;
    private_file(path).map_err(io)?;
    patiently(|| open_conn(path))
}

/// Creates the bus file 0600 if it is missing and tightens an existing one (SQLite gives its
/// `-wal` and `-shm` files the main file's mode).
fn private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)?;
    if file.metadata()?.permissions().mode() & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn open_conn(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(BusError::sqlite("open"))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(BusError::sqlite("open"))?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))
        .map_err(BusError::sqlite("open"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(BusError::malformed("embedded bus", format!("journal mode is {mode}, not wal")));
    }
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(BusError::sqlite("open"))?;
    conn.execute_batch(SCHEMA).map_err(BusError::sqlite("schema"))?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(BusError::sqlite("schema"))?;
    if version < 1 {
        conn.execute_batch(BACKFILL).map_err(BusError::sqlite("schema"))?;
    }
    Ok(conn)
}
