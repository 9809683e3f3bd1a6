//! Two migrators, each with its own [`PgTarget`] on its own thread, racing on one database.

use std::sync::{Arc, Barrier};
use std::thread;

use super::{migrations, Db};
use crate::migrate::{up, MigrateError, Migration, Target};

/// 10 migrations, each inserting its version into `log`, which exists beforehand.
fn ten(db: &Db) -> Arc<Vec<Migration>> {
    db.exec("CREATE TABLE log (version BIGINT NOT NULL)");
    let files: Vec<(String, String)> = (1..=10)
        .map(|v| (format!("{v:04}_step.up.sql"), format!("INSERT INTO log (version) VALUES ({v});")))
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(f, s)| (f.as_str(), s.as_str())).collect();
    Arc::new(migrations(&files))
}

/// Runs `work` on two threads at once, each with its own connection.
fn race<T: Send + 'static>(db: &Db, work: impl Fn(&mut dyn Target) -> T + Send + Sync + 'static) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(2));
    let work = Arc::new(work);
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (barrier, work, mut target) = (Arc::clone(&barrier), Arc::clone(&work), db.target());
            thread::spawn(move || {
                barrier.wait();
                work(&mut target)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn assert_each_applied_once(db: &Db) {
    assert_eq!(db.recorded(), (1..=10).collect::<Vec<i64>>());
    assert_eq!(db.i64s("SELECT count(*) FROM log"), [10]);
    assert_eq!(db.i64s("SELECT count(DISTINCT version) FROM log"), [10]);
}

#[test]
fn two_migrators_apply_each_migration_exactly_once() {
    let Some(db) = Db::start() else { return };
    let ms = ten(&db);
    let applied = race(&db, move |target| up(target, &ms, None, false).unwrap().steps.len());
    assert_eq!(applied.iter().sum::<usize>(), 10, "{applied:?}");
    assert_each_applied_once(&db);
}

#[test]
fn without_the_session_lock_the_apply_lock_still_applies_each_once() {
    let Some(db) = Db::start() else { return };
    let ms = ten(&db);
    let applied = race(&db, move |target| {
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
    assert_eq!(applied.iter().sum::<usize>(), 10, "{applied:?}");
    assert_each_applied_once(&db);
}
