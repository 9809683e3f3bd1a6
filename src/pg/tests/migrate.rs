//! `migrate::up`, `down` and `status` through a [`PgTarget`]: steps, refusals, rollbacks,
//! the no-transaction directive, the lock timeout and use from inside a runtime.

use std::time::{Duration, Instant};

use super::super::PgTarget;
use super::{migrations, three, Db};
use crate::migrate::{down, status, up, MigrateError, State, Target};

fn versions(report: &crate::migrate::Report) -> Vec<i64> {
    report.steps.iter().map(|s| s.version).collect()
}

#[test]
fn up_down_to_and_status() {
    let Some(db) = Db::start() else { return };
    let (ms, mut target) = (three(), db.target());
    let fresh = status(&mut target, &ms).unwrap();
    assert!(fresh.iter().all(|row| row.state == State::Pending), "{fresh:?}");
    let planned = up(&mut target, &ms, None, true).unwrap();
    assert_eq!((versions(&planned), planned.dry_run), (vec![1, 2, 3], true));
    assert!(!db.has_table("cfn_schema_migrations"), "reading must not create the table");
    assert_eq!(versions(&up(&mut target, &ms, Some(2), false).unwrap()), [1, 2]);
    assert_eq!(db.recorded(), [1, 2]);
    assert_eq!(versions(&up(&mut target, &ms, None, false).unwrap()), [3]);
    assert_eq!(db.i64s("SELECT count(*) FROM posts"), [1]);
    let rows = status(&mut target, &ms).unwrap();
    assert!(rows.iter().all(|row| row.state == State::Applied && row.applied_at.is_some()), "{rows:?}");
    assert_eq!(versions(&down(&mut target, &ms, None, false).unwrap()), [3]);
    assert_eq!(db.i64s("SELECT count(*) FROM users"), [0]);
    assert_eq!(versions(&down(&mut target, &ms, Some(1), false).unwrap()), [2]);
    assert!(!db.has_table("posts") && db.has_table("users"));
    // The recorded down script runs even when the files are gone.
    let gone = status(&mut target, &[]).unwrap();
    assert_eq!(gone[0].state, State::MissingFile);
    assert_eq!(versions(&down(&mut target, &[], Some(0), false).unwrap()), [1]);
    assert!(!db.has_table("users") && db.recorded().is_empty());
}

#[test]
fn a_changed_migration_is_refused_and_nothing_runs() {
    let Some(db) = Db::start() else { return };
    let mut target = db.target();
    up(&mut target, &three(), Some(2), false).unwrap();
    let mut changed = three();
    changed[1].up = "CREATE TABLE posts (id INT);".to_string();
    changed[1].checksum = crate::migrate::source::checksum(changed[1].up.as_bytes());
    let error = up(&mut target, &changed, None, false).unwrap_err();
    assert!(matches!(error, MigrateError::ChecksumMismatch { version: 2, .. }), "{error}");
    assert_eq!(db.recorded(), [1, 2]);
    assert_eq!(db.i64s("SELECT count(*) FROM users"), [0], "migration 3 must not run");
    assert_eq!(status(&mut target, &changed).unwrap()[1].state, State::Changed);
}

#[test]
fn a_failing_script_leaves_no_trace() {
    let Some(db) = Db::start() else { return };
    let ms = migrations(&[
        ("0001_ok.up.sql", "CREATE TABLE ok (x INT);"),
        ("0002_broken.up.sql", "CREATE TABLE half (x INT);\nINSERT INTO missing VALUES (1);"),
    ]);
    let error = up(&mut db.target(), &ms, None, false).unwrap_err();
    assert_eq!(error.to_string(), "migration 2 (broken) failed in 0002_broken.up.sql");
    let cause = std::error::Error::source(&error).map(|e| format!("{e:?}")).unwrap_or_default();
    assert!(cause.contains("missing"), "{cause}");
    assert_eq!(db.recorded(), [1]);
    assert!(db.has_table("ok") && !db.has_table("half"));
}

#[test]
fn a_no_transaction_script_runs_outside_the_transaction() {
    let Some(db) = Db::start() else { return };
    let ms = migrations(&[
        ("0001_users.up.sql", "CREATE TABLE users (id INT, name TEXT);"),
        ("0002_index.up.sql", "-- cfn:no-transaction\nCREATE INDEX CONCURRENTLY users_name ON users (name);"),
        ("0002_index.down.sql", "-- cfn:no-transaction\nDROP INDEX CONCURRENTLY users_name;"),
    ]);
    let mut target = db.target();
    assert_eq!(versions(&up(&mut target, &ms, None, false).unwrap()), [1, 2]);
    assert!(db.has_table("users_name"), "the index exists");
    assert_eq!(versions(&down(&mut target, &ms, None, false).unwrap()), [2]);
    assert!(!db.has_table("users_name"));
    let wrapped = migrations(&[("0009_index.up.sql", "CREATE INDEX CONCURRENTLY i ON users (id);")]);
    let mut other = db.target();
    let r = other.apply(&wrapped[0]);
    assert!(matches!(r, Err(MigrateError::Script { version: 9, .. })), "{r:?}");
}

#[test]
fn the_lock_times_out_while_another_migrator_holds_it() {
    let Some(db) = Db::start() else { return };
    let mut holder = db.target();
    holder.lock().unwrap();
    let mut waiter = db.target().with_lock_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let error = up(&mut waiter, &three(), None, false).unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(error, MigrateError::LockTimeout { .. }), "{error}");
    assert!(waited >= Duration::from_millis(300) && waited < Duration::from_secs(2), "{waited:?}");
    assert!(error.to_string().contains("postgresql advisory lock"), "{error}");
    assert!(db.recorded().is_empty());
    holder.unlock().unwrap();
    holder.unlock().unwrap();
    assert_eq!(versions(&up(&mut waiter, &three(), None, false).unwrap()), [1, 2, 3]);
    // A dropped migrator's session ends, and the server releases its lock.
    holder.lock().unwrap();
    drop(holder);
    waiter.lock().unwrap();
}

#[tokio::test]
async fn works_and_drops_inside_a_tokio_runtime() {
    let Some(db) = tokio::task::spawn_blocking(Db::start).await.unwrap() else { return };
    let mut target = PgTarget::connect(&db.url()).unwrap();
    assert_eq!(versions(&up(&mut target, &three(), None, false).unwrap()), [1, 2, 3]);
    target.lock().unwrap();
    drop(target);
    tokio::task::spawn_blocking(move || assert_eq!(db.recorded(), [1, 2, 3])).await.unwrap();
}

#[test]
fn a_connection_error_names_the_server_without_the_password() {
    let Some(db) = Db::start() else { return };
    let url = db.url().replace(":secret@", ":hunter2@");
    let error = PgTarget::connect(&url).unwrap_err();
    let message = error.to_string();
    assert_eq!(
        message,
        format!("migration bookkeeping failed while connecting to {}", url.replace("hunter2", "***"))
    );
    let cause = std::error::Error::source(&error).map(|e| format!("{e:?}")).unwrap_or_default();
    assert!(cause.contains("password authentication failed") && !cause.contains("hunter2"), "{cause}");
}
