//! Several migrators racing on one database, each with its own connection: the same scenarios
//! on SQLite (a file in a temporary directory) and on PostgreSQL (a database of the test
//! process's own cluster), through the shared [`race`] helper.

use std::sync::Arc;

use rusqlite::Connection;

use super::super::error::MigrateError;
use super::super::source::{from_embedded, Migration};
use super::super::sqlite::SqliteTarget;
use super::super::target::Target;
use super::super::up;
use super::Fixture;
use crate::health::tests::support::postgres::TestPostgres;
use crate::health::tests::support::race::race;
use crate::pg::PgTarget;

const THREADS: usize = 4;

/// A database the migrators race on: a connection per racer, and SQL to check the outcome.
trait Backend {
    type Conn: Send + 'static;
    fn conn(&self) -> Self::Conn;
    /// Runs `f` with a migration target over `conn`.
    fn with_target<T>(conn: &mut Self::Conn, f: impl FnOnce(&mut dyn Target) -> T) -> T;
    fn exec(&self, sql: &str);
    /// The single integer `sql` returns.
    fn int(&self, sql: &str) -> i64;
    /// The first column of `sql`'s rows, as integers.
    fn ints(&self, sql: &str) -> Vec<i64>;
}

impl Backend for Fixture {
    type Conn = Connection;

    fn conn(&self) -> Connection {
        Fixture::conn(self)
    }

    fn with_target<T>(conn: &mut Connection, f: impl FnOnce(&mut dyn Target) -> T) -> T {
        f(&mut SqliteTarget::new(conn))
    }

    fn exec(&self, sql: &str) {
        Fixture::conn(self).execute_batch(sql).unwrap();
    }

    fn int(&self, sql: &str) -> i64 {
        Fixture::conn(self).query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn ints(&self, sql: &str) -> Vec<i64> {
        let conn = Fixture::conn(self);
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([], |row| row.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }
}

impl Backend for TestPostgres {
    type Conn = PgTarget;

    fn conn(&self) -> PgTarget {
        PgTarget::connect(&self.url()).unwrap()
    }

    fn with_target<T>(conn: &mut PgTarget, f: impl FnOnce(&mut dyn Target) -> T) -> T {
        f(conn)
    }

    fn exec(&self, sql: &str) {
        self.sql(sql);
    }

    fn int(&self, sql: &str) -> i64 {
        self.sql(sql).trim().parse().unwrap()
    }

    fn ints(&self, sql: &str) -> Vec<i64> {
        self.sql(sql).lines().map(|l| l.trim().parse().unwrap()).collect()
    }
}

/// Migration `v`: its file name and its script, which inserts `v` into `log`.
fn step(v: i64) -> (String, String) {
    (format!("{v:04}_step.up.sql"), format!("INSERT INTO log (version) VALUES ({v});"))
}

/// 20 migrations, each inserting its version into `log`, which exists beforehand.
fn twenty(db: &impl Backend) -> Arc<Vec<Migration>> {
    db.exec("CREATE TABLE log (version BIGINT NOT NULL)");
    let files: Vec<(String, String)> = (1..=20).map(step).collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(f, s)| (f.as_str(), s.as_str())).collect();
    Arc::new(from_embedded(&files).unwrap())
}

fn assert_each_applied_once(db: &impl Backend) {
    let recorded = db.ints("SELECT version FROM cfn_schema_migrations ORDER BY version");
    assert_eq!(recorded, (1..=20).collect::<Vec<i64>>());
    assert_eq!(db.int("SELECT count(*) FROM log"), 20);
    assert_eq!(db.int("SELECT count(DISTINCT version) FROM log"), 20);
}

/// `up` on every racer: together they apply each migration once.
fn concurrent_ups<B: Backend + 'static>(db: &B) {
    let ms = twenty(db);
    let conns = (0..THREADS).map(|_| db.conn()).collect();
    let applied = race(conns, move |conn| {
        B::with_target(conn, |target| up(target, &ms, None, false).unwrap().steps.len())
    });
    assert_eq!(applied.iter().sum::<usize>(), 20, "{applied:?}");
    assert_each_applied_once(db);
}

/// Without the migration lock, every racer applies every migration: the apply step alone
/// (SQLite's BEGIN IMMEDIATE, PostgreSQL's apply lock) still lets each through once.
fn concurrent_applies<B: Backend + 'static>(db: &B) {
    let ms = twenty(db);
    let conns = (0..THREADS).map(|_| db.conn()).collect();
    let applied = race(conns, move |conn| {
        B::with_target(conn, |target| {
            let mut mine = 0;
            for m in ms.iter() {
                match target.apply(m) {
                    Ok(_) => mine += 1,
                    Err(MigrateError::AlreadyApplied { .. }) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            mine
        })
    });
    assert_eq!(applied.iter().sum::<usize>(), 20, "{applied:?}");
    assert_each_applied_once(db);
}

#[test]
fn concurrent_migrators_apply_each_migration_exactly_once_on_sqlite() {
    concurrent_ups(&Fixture::new());
}

#[test]
fn concurrent_migrators_apply_each_migration_exactly_once_on_postgres() {
    let Some(db) = TestPostgres::start() else { return };
    concurrent_ups(&db);
}

#[test]
fn without_the_lock_each_migration_is_still_applied_once_on_sqlite() {
    concurrent_applies(&Fixture::new());
}

#[test]
fn without_the_lock_each_migration_is_still_applied_once_on_postgres() {
    let Some(db) = TestPostgres::start() else { return };
    concurrent_applies(&db);
}

/// Set in a child process to the database it migrates (see the test below).
const CHILD_DB: &str = "CFN_MIGRATE_TEST_CHILD_DB";
const CHILD_DIR: &str = "CFN_MIGRATE_TEST_CHILD_DIR";

/// Does nothing in a normal run; in a child process spawned by the test below, migrates.
#[test]
fn child_migrator() {
    let (Ok(db), Ok(dir)) = (std::env::var(CHILD_DB), std::env::var(CHILD_DIR)) else {
        return;
    };
    let mut conn = Connection::open(db).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let ms = super::super::load_dir(std::path::Path::new(&dir)).unwrap();
    up(&mut SqliteTarget::new(&mut conn), &ms, None, false).unwrap();
}

#[test]
fn concurrent_migrator_processes_apply_each_migration_exactly_once() {
    let fx = Fixture::new();
    twenty(&fx);
    for (file, sql) in (1..=20).map(step) {
        fx.write(&file, &sql);
    }
    let exe = std::env::current_exe().unwrap();
    let module = module_path!().split_once("::").map_or("", |(_, rest)| rest);
    let children: Vec<_> = (0..THREADS)
        .map(|_| {
            std::process::Command::new(&exe)
                .args(["--exact", &format!("{module}::child_migrator"), "--quiet"])
                .env(CHILD_DB, &fx.db)
                .env(CHILD_DIR, &fx.migrations)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_each_applied_once(&fx);
}
