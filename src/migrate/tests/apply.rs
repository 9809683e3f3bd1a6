//! up, down, --to, --dry-run and status on a real SQLite file.

use super::super::apply::{down, status, up, State};
use super::super::error::MigrateError;
use super::super::sqlite::SqliteTarget;
use super::{recorded, tables, three, versions, Fixture};

#[test]
fn up_applies_all_pending_in_order_then_nothing() {
    let fx = three();
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    let report = up(&mut t, &fx.load(), None, false).unwrap();
    assert_eq!(versions(&report), [1, 2, 3]);
    assert!(report.steps.iter().all(|s| s.duration_ms.is_some()));
    assert!(up(&mut t, &fx.load(), None, false).unwrap().steps.is_empty());
    let rows = status(&mut t, &fx.load()).unwrap();
    assert!(rows.iter().all(|r| r.state == State::Applied && r.applied_at.is_some()));
    drop(t);
    assert_eq!(tables(&conn), ["a", "b", "c", "cfn_schema_migrations"]);
}

#[test]
fn up_to_and_down_to() {
    let fx = three();
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    let ms = fx.load();
    assert_eq!(versions(&up(&mut t, &ms, Some(2), false).unwrap()), [1, 2]);
    assert_eq!(versions(&up(&mut t, &ms, Some(3), false).unwrap()), [3]);
    assert_eq!(versions(&down(&mut t, &ms, None, false).unwrap()), [3]);
    assert_eq!(versions(&up(&mut t, &ms, None, false).unwrap()), [3]);
    assert_eq!(versions(&down(&mut t, &ms, Some(1), false).unwrap()), [3, 2]);
    assert_eq!(versions(&down(&mut t, &ms, Some(0), false).unwrap()), [1]);
    assert!(down(&mut t, &ms, None, false).unwrap().steps.is_empty());
    drop(t);
    assert_eq!(tables(&conn), ["cfn_schema_migrations"]);
}

#[test]
fn unknown_to_versions_are_refused() {
    let fx = three();
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    let ms = fx.load();
    let err = up(&mut t, &ms, Some(7), false).unwrap_err();
    assert_eq!(err.to_string(), "no migration with version 7");
    up(&mut t, &ms, Some(1), false).unwrap();
    let err = down(&mut t, &ms, Some(2), false).unwrap_err();
    assert!(matches!(err, MigrateError::UnknownVersion { version: 2 }));
}

#[test]
fn dry_run_changes_nothing() {
    let fx = three();
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    let ms = fx.load();
    let report = up(&mut t, &ms, None, true).unwrap();
    assert!(report.dry_run);
    assert_eq!(versions(&report), [1, 2, 3]);
    assert!(report.steps.iter().all(|s| s.duration_ms.is_none()));
    up(&mut t, &ms, Some(2), false).unwrap();
    let report = down(&mut t, &ms, Some(0), true).unwrap();
    assert_eq!(versions(&report), [2, 1]);
    drop(t);
    assert_eq!(tables(&conn), ["a", "b", "cfn_schema_migrations"]);
    assert_eq!(recorded(&conn), [1, 2]);
}

#[test]
fn dry_run_on_a_fresh_database_creates_nothing() {
    let fx = three();
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    up(&mut t, &fx.load(), None, true).unwrap();
    assert_eq!(status(&mut t, &fx.load()).unwrap().len(), 3);
    drop(t);
    assert!(tables(&conn).is_empty());
}

#[test]
fn down_uses_the_recorded_script_after_the_files_are_deleted() {
    let fx = three();
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    up(&mut t, &fx.load(), None, false).unwrap();
    fx.remove("0003_c.down.sql");
    fx.remove("0002_b.down.sql");
    fx.remove("0002_b.up.sql");
    let rows = status(&mut t, &fx.load()).unwrap();
    assert_eq!(rows[1].state, State::MissingFile);
    assert_eq!(rows[1].name, "b");
    assert_eq!(versions(&down(&mut t, &fx.load(), Some(1), false).unwrap()), [3, 2]);
    drop(t);
    assert_eq!(tables(&conn), ["a", "cfn_schema_migrations"]);
}

#[test]
fn down_file_added_after_applying_is_used_when_the_up_is_unchanged() {
    let fx = Fixture::new();
    fx.write("0001_a.up.sql", "CREATE TABLE a (id INTEGER);");
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    up(&mut t, &fx.load(), None, false).unwrap();
    fx.write("0001_a.down.sql", "DROP TABLE a;");
    assert_eq!(versions(&down(&mut t, &fx.load(), None, false).unwrap()), [1]);
    drop(t);
    assert_eq!(tables(&conn), ["cfn_schema_migrations"]);
}

#[test]
fn no_transaction_directive_runs_the_script_as_written() {
    let fx = Fixture::new();
    fx.write("0001_a.up.sql", "CREATE TABLE a (id INTEGER);")
        .write(
            "0002_rebuild.up.sql",
            "-- cfn:no-transaction\nPRAGMA foreign_keys = OFF;\nBEGIN;\n\
             CREATE TABLE a2 (id INTEGER, note TEXT);\nINSERT INTO a2 (id) SELECT id FROM a;\n\
             DROP TABLE a;\nALTER TABLE a2 RENAME TO a;\nCOMMIT;\nPRAGMA foreign_keys = ON;",
        )
        .write("0002_rebuild.down.sql", "-- cfn:no-transaction\nVACUUM;");
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    assert_eq!(versions(&up(&mut t, &fx.load(), None, false).unwrap()), [1, 2]);
    assert_eq!(versions(&down(&mut t, &fx.load(), None, false).unwrap()), [2]);
    drop(t);
    assert_eq!(recorded(&conn), [1]);
    assert!(conn.is_autocommit());
}

#[test]
fn status_and_report_serialize_for_json_output() {
    let fx = three();
    let mut conn = fx.conn();
    let mut t = SqliteTarget::new(&mut conn);
    let report = up(&mut t, &fx.load(), Some(1), true).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"direction": "up", "dry_run": true,
            "steps": [{"version": 1, "name": "a", "duration_ms": null}]})
    );
    up(&mut t, &fx.load(), Some(1), false).unwrap();
    fx.remove("0001_a.up.sql");
    fx.remove("0001_a.down.sql");
    let json = serde_json::to_value(status(&mut t, &fx.load()).unwrap()).unwrap();
    assert_eq!(json[0]["state"], "missing-file");
    assert_eq!(json[1]["state"], "pending");
    assert!(json[0]["applied_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(json[1]["applied_at"], serde_json::Value::Null);
}
