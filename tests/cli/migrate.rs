//! `cfn migrate` on the branch's SQLite database: up, down, --to, refusals, concurrency.

use crate::harness::*;
use std::path::{Path, PathBuf};

fn with_migrations(sb: &Sandbox, n: usize) -> (PathBuf, PathBuf) {
    let mut files: Vec<(String, String)> = Vec::new();
    for v in 1..=n {
        files.push((
            format!("migrations/{v:04}_step{v}.up.sql"),
            format!("CREATE TABLE t{v} (x INT); INSERT INTO log VALUES ({v});"),
        ));
        files.push((
            format!("migrations/{v:04}_step{v}.down.sql"),
            format!("DROP TABLE t{v}; DELETE FROM log WHERE v = {v};"),
        ));
    }
    files[0].1 = format!("CREATE TABLE log (v INT); {}", files[0].1);
    files[1].1 = format!("{} DROP TABLE log;", files[1].1);
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let root = sb.repo("db", &refs);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let v = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    (root, PathBuf::from(v["path"].as_str().unwrap()))
}

fn log_rows(wt: &Path) -> Vec<i64> {
    let db = rusqlite::Connection::open(wt.join(".cfn/data/app.db")).unwrap();
    let mut stmt = db.prepare("SELECT v FROM log ORDER BY v").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn states(sb: &Sandbox, wt: &Path) -> Vec<String> {
    let v = sb.json(wt, &["migrate", "status", "--json"]);
    v.as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap().to_string()).collect()
}

#[test]
fn up_down_and_to() {
    let sb = Sandbox::new();
    let (root, wt) = with_migrations(&sb, 12);
    assert!(states(&sb, &wt).iter().all(|s| s == "pending"));
    let dry = sb.json(&wt, &["migrate", "up", "--dry-run", "--json"]);
    assert_eq!(dry["steps"].as_array().unwrap().len(), 12);
    assert!(states(&sb, &wt).iter().all(|s| s == "pending"), "dry run changed nothing");
    sb.cfn(&wt, &["migrate", "up", "--yes", "--to", "10"]).assert().success();
    assert_eq!(log_rows(&wt), (1..=10).collect::<Vec<_>>(), "numeric order: 9 before 10");
    sb.cfn(&wt, &["migrate", "up", "--yes"]).assert().success();
    assert_eq!(log_rows(&wt).len(), 12);
    sb.cfn(&wt, &["migrate", "down", "--yes"]).assert().success();
    assert_eq!(log_rows(&wt).len(), 11, "down reverts only the latest");
    sb.cfn(&wt, &["migrate", "down", "--yes", "--to", "3"]).assert().success();
    assert_eq!(log_rows(&wt), [1, 2, 3]);
    // The main checkout's database is another file, untouched.
    assert!(!root.join(".cfn/data/app.db").exists());
    let env = sb.json(&wt, &["env", "--format", "json"]);
    assert_eq!(env["DB_PATH"], wt.join(".cfn/data/app.db").to_str().unwrap());
}

#[test]
fn a_changed_applied_migration_is_refused() {
    let sb = Sandbox::new();
    let (_, wt) = with_migrations(&sb, 3);
    sb.cfn(&wt, &["migrate", "up", "--yes", "--to", "2"]).assert().success();
    let file = wt.join("migrations/0002_step2.up.sql");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n-- edited")).unwrap();
    let out = sb.cfn(&wt, &["migrate", "up", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("migration 2 (step2) was changed"), "{}", stderr(&out));
    assert!(stderr(&out).contains("hint:"));
    assert_eq!(log_rows(&wt), [1, 2], "nothing applied");
    assert_eq!(states(&sb, &wt), ["applied", "changed", "pending"]);
}

#[test]
fn two_concurrent_migrators_apply_each_migration_once() {
    let sb = Sandbox::new();
    let (_, wt) = with_migrations(&sb, 20);
    let children: Vec<_> = (0..2)
        .map(|_| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
            cmd.current_dir(&wt).args(["migrate", "up", "--yes"]);
            for (k, v) in hermetic_env(&sb.home, sb.path()) {
                cmd.env(k, v);
            }
            cmd.stderr(std::process::Stdio::piped()).spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(log_rows(&wt), (1..=20).collect::<Vec<_>>());
}
