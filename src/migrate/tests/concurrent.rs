//! Several migrators racing on one database file, each with its own connection.

use std::sync::{Arc, Barrier};
use std::thread;

use rusqlite::Connection;

use super::super::error::MigrateError;
use super::super::source::Migration;
use super::super::sqlite::SqliteTarget;
use super::super::target::Target;
use super::super::up;
use super::{recorded, Fixture};

const THREADS: usize = 4;

/// 20 migrations, each inserting its version into `log`, which exists beforehand.
fn twenty() -> (Fixture, Arc<Vec<Migration>>) {
    let fx = Fixture::new();
    fx.conn().execute_batch("CREATE TABLE log (version INTEGER NOT NULL)").unwrap();
    for v in 1..=20 {
        let sql = format!("INSERT INTO log (version) VALUES ({v});");
        fx.write(&format!("{v:04}_step.up.sql"), &sql);
    }
    let ms = Arc::new(fx.load());
    (fx, ms)
}

/// Runs `work` on `THREADS` threads at once, each with its own connection.
fn race<T: Send + 'static>(
    fx: &Fixture,
    work: impl Fn(&mut Connection) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(THREADS));
    let work = Arc::new(work);
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (barrier, work, mut conn) = (Arc::clone(&barrier), Arc::clone(&work), fx.conn());
            thread::spawn(move || {
                barrier.wait();
                work(&mut conn)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn assert_each_applied_once(fx: &Fixture) {
    let conn = fx.conn();
    assert_eq!(recorded(&conn), (1..=20).collect::<Vec<i64>>());
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM log"), 20);
    assert_eq!(count("SELECT count(DISTINCT version) FROM log"), 20);
}

#[test]
fn concurrent_migrators_apply_each_migration_exactly_once() {
    let (fx, ms) = twenty();
    let applied = race(&fx, move |conn| {
        let mut target = SqliteTarget::new(conn);
        up(&mut target, &ms, None, false).unwrap().steps.len()
    });
    assert_eq!(applied.iter().sum::<usize>(), 20, "{applied:?}");
    assert_each_applied_once(&fx);
}

#[test]
fn without_the_lock_begin_immediate_still_applies_each_migration_once() {
    let (fx, ms) = twenty();
    let applied = race(&fx, move |conn| {
        let mut target = SqliteTarget::new(conn);
        let mut mine = 0;
        for m in ms.iter() {
            match target.apply(m) {
                Ok(_) => mine += 1,
                Err(MigrateError::AlreadyApplied { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
        mine
    });
    assert_eq!(applied.iter().sum::<usize>(), 20, "{applied:?}");
    assert_each_applied_once(&fx);
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
    let (fx, _) = twenty();
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
