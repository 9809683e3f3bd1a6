//! Runs that must refuse or fail, and what they must leave behind.

use super::super::apply::{down, status, up, State};
use super::super::error::MigrateError;
use super::super::sqlite::SqliteTarget;
use super::{recorded, tables, three, Fixture};

#[test]
fn changed_applied_migration_is_refused_and_nothing_is_applied() {
    let fx = three();
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    up(&mut t, &fx.load(), Some(2), false).unwrap();
    fx.write("0001_a.up.sql", "CREATE TABLE a (id INTEGER, extra TEXT);");
    let err = up(&mut t, &fx.load(), None, false).unwrap_err();
    assert!(matches!(err, MigrateError::ChecksumMismatch { version: 1, .. }));
    assert!(err.to_string().starts_with("migration 1 (a) was changed after it was applied: "));
    assert!(matches!(up(&mut t, &fx.load(), None, true), Err(MigrateError::ChecksumMismatch { .. })));
    let states: Vec<State> = status(&mut t, &fx.load()).unwrap().iter().map(|r| r.state).collect();
    assert_eq!(states, [State::Changed, State::Applied, State::Pending]);
    drop(t);
    assert_eq!(recorded(&conn), [1, 2]);
    assert!(!tables(&conn).contains(&"c".to_string()));
}

#[test]
fn pending_migration_below_the_highest_applied_is_refused() {
    let fx = Fixture::new();
    fx.write("0001_a.up.sql", "SELECT 1;").write("0003_c.up.sql", "SELECT 3;");
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    up(&mut t, &fx.load(), None, false).unwrap();
    fx.write("0002_b.up.sql", "SELECT 2;").write("0004_d.up.sql", "SELECT 4;");
    let err = up(&mut t, &fx.load(), None, false).unwrap_err();
    assert!(matches!(err, MigrateError::OutOfOrder { version: 2, highest: 3, .. }));
    assert!(err.to_string().contains("migration 2 (b) is pending but migration 3 is already applied"));
    drop(t);
    assert_eq!(recorded(&conn), [1, 3]);
}

#[test]
fn migration_without_down_script_is_not_reverted_and_nothing_else_is() {
    let fx = three();
    fx.remove("0002_b.down.sql");
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    up(&mut t, &fx.load(), None, false).unwrap();
    let err = down(&mut t, &fx.load(), Some(0), false).unwrap_err();
    assert_eq!(err.to_string(), "migration 2 (b) has no down script and cannot be reverted");
    drop(t);
    assert_eq!(recorded(&conn), [1, 2, 3]);
}

#[test]
fn failing_migration_keeps_earlier_ones_and_leaves_no_trace() {
    let fx = Fixture::new();
    fx.write("0001_a.up.sql", "CREATE TABLE a (id INTEGER);")
        .write(
            "0002_b.up.sql",
            "CREATE TABLE b (id INTEGER);\nCREATE INDEX bi ON b (id);\n\
             INSERT INTO nope VALUES (1);",
        )
        .write("0003_c.up.sql", "CREATE TABLE c (id INTEGER);");
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    let err = up(&mut t, &fx.load(), None, false).unwrap_err();
    assert_eq!(err.to_string(), "migration 2 (b) failed in 0002_b.up.sql");
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert!(cause.contains("no such table: nope"), "{cause}");
    drop(t);
    assert_eq!(recorded(&conn), [1]);
    assert_eq!(tables(&conn), ["a", "cfn_schema_migrations"]);
    let indexes: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'index'", [], |r| r.get(0)).unwrap();
    assert_eq!(indexes, 0);
}

#[test]
fn script_with_its_own_begin_is_refused_before_anything_runs() {
    let fx = Fixture::new();
    fx.write("0001_a.up.sql", "CREATE TABLE a (id INTEGER);")
        .write("0002_b.up.sql", "BEGIN;\nCREATE TABLE b (id INTEGER);\nCOMMIT;");
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    let err = up(&mut t, &fx.load(), None, false).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("0002_b.up.sql contains a transaction-control statement (BEGIN) on line 1: "));
    drop(t);
    assert!(tables(&conn).is_empty());
}

#[test]
fn failing_no_transaction_script_is_not_recorded_and_the_connection_recovers() {
    let fx = Fixture::new();
    fx.write(
        "0001_a.up.sql",
        "-- cfn:no-transaction\nBEGIN;\nCREATE TABLE a (id INTEGER);\n\
         INSERT INTO nope VALUES (1);\nCOMMIT;",
    );
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    let err = up(&mut t, &fx.load(), None, false).unwrap_err();
    assert!(matches!(err, MigrateError::Script { version: 1, .. }));
    drop(t);
    assert!(conn.is_autocommit());
    assert!(recorded(&conn).is_empty());
    assert_eq!(tables(&conn), ["cfn_schema_migrations"]);
}
