//! Loading migration files from a directory and from embedded strings.

use std::fs;

use super::super::error::MigrateError;
use super::super::source::{checksum, from_embedded, load_dir};
use super::Fixture;

#[test]
fn versions_are_ordered_numerically_not_as_text() {
    let fx = Fixture::new();
    for (file, sql) in [
        ("10_j.up.sql", "SELECT 10;"),
        ("2_b.up.sql", "SELECT 2;"),
        ("11_k.up.sql", "SELECT 11;"),
        ("0001_a.up.sql", "SELECT 1;"),
        ("9_i.up.sql", "SELECT 9;"),
    ] {
        fx.write(file, sql);
    }
    let versions: Vec<i64> = fx.load().iter().map(|m| m.version).collect();
    assert_eq!(versions, [1, 2, 9, 10, 11]);
}

#[test]
fn pairs_down_files_ignores_other_files_and_checksums_the_up_script() {
    let fx = Fixture::new();
    fx.write("0001_init.up.sql", "abc")
        .write("0001_init.down.sql", "DROP TABLE t;")
        .write("0002_more.up.sql", "SELECT 2;")
        .write("README.md", "not a migration");
    fs::create_dir(fx.migrations.join("archive")).unwrap();
    let ms = fx.load();
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0].name, "init");
    assert_eq!(ms[0].file, "0001_init.up.sql");
    assert_eq!(ms[0].down.as_deref(), Some("DROP TABLE t;"));
    assert_eq!(ms[0].checksum, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(ms[1].down, None);
    assert_eq!(checksum(b"abc"), ms[0].checksum);
}

#[test]
fn missing_directory_holds_no_migrations() {
    let fx = Fixture::new();
    assert!(load_dir(&fx.migrations.join("nope")).unwrap().is_empty());
}

#[test]
fn duplicate_version_is_an_error_naming_both_files() {
    let fx = Fixture::new();
    fx.write("1_a.up.sql", "").write("0001_b.up.sql", "");
    let err = load_dir(&fx.migrations).unwrap_err();
    assert!(matches!(err, MigrateError::DuplicateVersion { version: 1, .. }));
    let msg = err.to_string();
    assert!(msg.contains("0001_b.up.sql") && msg.contains("1_a.up.sql"), "{msg}");
}

#[test]
fn down_without_up_is_an_error() {
    let fx = Fixture::new();
    fx.write("0001_a.up.sql", "").write("0001_b.down.sql", "");
    let err = load_dir(&fx.migrations).unwrap_err();
    assert_eq!(
        err.to_string(),
        "down migration without an up migration: 0001_b.down.sql \
         (expected 0001_b.up.sql next to it)"
    );
}

#[test]
fn sql_files_off_the_pattern_are_named_with_the_expected_pattern() {
    for bad in [
        "0001_init.sql",
        "init.up.sql",
        "0001.up.sql",
        "0001_.up.sql",
        "0_zero.up.sql",
        "x1_a.up.sql",
        "0001_a b.up.sql",
        "99999999999999999999_big.up.sql",
    ] {
        let fx = Fixture::new();
        fx.write(bad, "");
        let msg = load_dir(&fx.migrations).unwrap_err().to_string();
        assert!(msg.starts_with(&format!("not a migration file name: {bad} (")), "{msg}");
        assert!(msg.contains("NNNN_name.up.sql"), "{msg}");
    }
}

#[test]
fn non_utf8_file_is_named() {
    let fx = Fixture::new();
    fs::write(fx.migrations.join("0001_a.up.sql"), [0xff, 0xfe, 0x00]).unwrap();
    let err = load_dir(&fx.migrations).unwrap_err();
    assert_eq!(err.to_string(), "migration file is not valid UTF-8: 0001_a.up.sql");
}

#[test]
fn embedded_files_follow_the_same_rules() {
    let ms = from_embedded(&[
        ("migrations/10_b.up.sql", "SELECT 10;"),
        ("migrations/9_a.up.sql", "SELECT 9;"),
        ("migrations/9_a.down.sql", "SELECT -9;"),
    ])
    .unwrap();
    let versions: Vec<i64> = ms.iter().map(|m| m.version).collect();
    assert_eq!(versions, [9, 10]);
    assert_eq!(ms[0].down.as_deref(), Some("SELECT -9;"));

    let err = from_embedded(&[("1_a.up.sql", ""), ("1_b.up.sql", "")]).unwrap_err();
    assert!(matches!(err, MigrateError::DuplicateVersion { .. }));
    let err = from_embedded(&[("2_a.down.sql", "")]).unwrap_err();
    assert!(matches!(err, MigrateError::DownWithoutUp { .. }));
    let err = from_embedded(&[("schema.sql", "")]).unwrap_err();
    assert!(matches!(err, MigrateError::BadFileName { .. }));
    assert!(from_embedded(&[]).unwrap().is_empty());
}
