//! Tests of the migration engine against real SQLite files in temporary directories.

mod apply;
mod concurrent;
mod refusals;
mod script;
mod source;
mod sqlite;

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use rusqlite::Connection;
use tempfile::TempDir;

use super::apply::Report;
use super::source::{load_dir, Migration};

/// A temporary directory holding a database file and a `migrations/` folder.
pub(super) struct Fixture {
    _dir: TempDir,
    pub db: PathBuf,
    pub migrations: PathBuf,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let migrations = dir.path().join("migrations");
        fs::create_dir(&migrations).unwrap();
        Fixture { db: dir.path().join("test.db"), migrations, _dir: dir }
    }

    /// A connection opened the way cfn opens its databases: WAL mode, 5 s busy timeout.
    pub fn conn(&self) -> Connection {
        let conn = Connection::open(&self.db).unwrap();
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0)).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        conn
    }

    pub fn write(&self, file: &str, sql: &str) -> &Self {
        fs::write(self.migrations.join(file), sql).unwrap();
        self
    }

    pub fn remove(&self, file: &str) {
        fs::remove_file(self.migrations.join(file)).unwrap();
    }

    pub fn load(&self) -> Vec<Migration> {
        load_dir(&self.migrations).unwrap()
    }
}

/// The names of the user tables in `conn`, sorted.
pub(super) fn tables(conn: &Connection) -> Vec<String> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").unwrap();
    let names = stmt.query_map([], |row| row.get(0)).unwrap();
    names.collect::<Result<_, _>>().unwrap()
}

/// The recorded versions in `conn`, ascending.
pub(super) fn recorded(conn: &Connection) -> Vec<i64> {
    let mut stmt = conn.prepare("SELECT version FROM cfn_schema_migrations ORDER BY version").unwrap();
    let versions = stmt.query_map([], |row| row.get(0)).unwrap();
    versions.collect::<Result<_, _>>().unwrap()
}

/// Three migrations creating tables a, b, c, each with a down script.
pub(super) fn three() -> Fixture {
    let fx = Fixture::new();
    for (v, t) in [(1, "a"), (2, "b"), (3, "c")] {
        fx.write(&format!("{v:04}_{t}.up.sql"), &format!("CREATE TABLE {t} (id INTEGER);"));
        fx.write(&format!("{v:04}_{t}.down.sql"), &format!("DROP TABLE {t};"));
    }
    fx
}

pub(super) fn versions(report: &Report) -> Vec<i64> {
    report.steps.iter().map(|s| s.version).collect()
}
