//! The SQLite target on its own: bookkeeping rows, the lock, in-memory databases.

use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::super::error::MigrateError;
use super::super::source::from_embedded;
use super::super::sqlite::SqliteTarget;
use super::super::target::{rfc3339, Target};
use super::super::{status, up};
use super::Fixture;

#[test]
fn applied_rows_record_checksum_time_duration_and_down_script() {
    let fx = Fixture::new();
    fx.write("0001_a.up.sql", "CREATE TABLE a (id INTEGER);").write("0001_a.down.sql", "DROP TABLE a;");
    let ms = fx.load();
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    let applied = t.apply(&ms[0]).unwrap();
    assert_eq!(t.applied().unwrap(), vec![applied.clone()]);
    assert_eq!(applied.checksum, ms[0].checksum);
    assert_eq!(applied.down.as_deref(), Some("DROP TABLE a;"));
    assert!(applied.duration_ms >= 0);
    let at = &applied.applied_at;
    assert!(at.len() == 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T', "{at}");
}

#[test]
fn a_second_apply_of_the_same_version_is_refused_inside_the_transaction() {
    let fx = Fixture::new();
    fx.write("0001_a.up.sql", "CREATE TABLE a (id INTEGER);");
    let ms = fx.load();
    let (mut c1, mut c2) = (fx.conn(), fx.conn());
    let mut t1 = SqliteTarget::new(&mut c1);
    let mut t2 = SqliteTarget::new(&mut c2);
    t1.apply(&ms[0]).unwrap();
    let err = t2.apply(&ms[0]).unwrap_err();
    assert!(matches!(err, MigrateError::AlreadyApplied { version: 1, .. }));
    let a = t1.applied().unwrap().remove(0);
    let err = t2.revert(&a).unwrap_err();
    assert!(matches!(err, MigrateError::NoDownScript { .. }));
}

#[test]
fn the_lock_excludes_a_second_migrator_until_released() {
    let fx = Fixture::new();
    let (mut c1, mut c2) = (fx.conn(), fx.conn());
    let mut t1 = SqliteTarget::new(&mut c1);
    let mut t2 = SqliteTarget::new(&mut c2).with_lock_timeout(Duration::from_millis(200));
    t1.lock().unwrap();
    let started = Instant::now();
    let err = t2.lock().unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert!(matches!(err, MigrateError::LockTimeout { .. }));
    let msg = err.to_string();
    assert!(msg.starts_with("timed out after 200ms waiting for another migrator to release "), "{msg}");
    assert!(msg.ends_with("test.db.migrate-lock"), "{msg}");
    t1.unlock().unwrap();
    t2.lock().unwrap();
    t2.unlock().unwrap();
    t2.unlock().unwrap();
}

#[test]
fn the_lock_is_released_when_the_target_is_dropped() {
    let fx = Fixture::new();
    let (mut c1, mut c2) = (fx.conn(), fx.conn());
    let mut t1 = SqliteTarget::new(&mut c1);
    t1.lock().unwrap();
    drop(t1);
    let mut t2 = SqliteTarget::new(&mut c2).with_lock_timeout(Duration::from_millis(100));
    t2.lock().unwrap();
}

#[test]
fn in_memory_databases_migrate_without_a_lock_file() {
    let ms = from_embedded(&[("1_a.up.sql", "CREATE TABLE a (id INTEGER);")]).unwrap();
    let mut conn = Connection::open_in_memory().unwrap();
    let mut t = SqliteTarget::new(&mut conn);
    assert_eq!(up(&mut t, &ms, None, false).unwrap().steps.len(), 1);
    assert_eq!(status(&mut t, &ms).unwrap().len(), 1);
}

#[test]
fn rfc3339_formats_utc_dates() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
}
