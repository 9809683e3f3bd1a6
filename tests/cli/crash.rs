//! Crash points (`CFN_CRASH_AT=<operation>:<step>`, honoured by debug builds only): every
//! numbered step of `worktree add`, `worktree remove` and `migrate up` is crashed in turn (the
//! process aborts as abruptly as a SIGKILL), and afterwards `cfn doctor --fix` must leave
//! registry, git and disk in agreement, with the branch usable again.

use crate::crash_invariants::*;
use crate::harness::*;
use serde_json::Value;
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs `cfn args` crashing at `point`; `false` when it ran to the end (no such step).
fn crash(sb: &Sandbox, dir: &Path, point: &str, args: &[&str]) -> bool {
    let out = sb.cfn(dir, args).env("CFN_CRASH_AT", point).output().unwrap();
    if out.status.success() {
        return false;
    }
    assert_eq!(
        out.status.signal(),
        Some(6),
        "{point}: expected an abort, got {:?}: {}",
        out.status,
        stderr(&out)
    );
    assert!(stderr(&out).contains(&format!("crash point {point} reached")), "{}", stderr(&out));
    true
}

fn listed_state(sb: &Sandbox, root: &Path, branch: &str) -> Option<String> {
    let list = sb.json(root, &["worktree", "list", "--json"]);
    list.as_array()
        .unwrap()
        .iter()
        .find(|w| w["branch"] == branch)
        .map(|w| w["state"].as_str().unwrap().to_string())
}

fn registry_checks(sb: &Sandbox, root: &Path) -> Vec<Value> {
    let out = sb.cfn(root, &["doctor", "--json"]).output().unwrap();
    let checks: Value = serde_json::from_slice(&out.stdout).unwrap();
    checks.as_array().unwrap().iter().filter(|c| c["name"] == "registry").cloned().collect()
}

#[test]
fn add_crashed_at_every_step_is_rolled_back_or_finished() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let mut step = 1;
    while crash(&sb, &root, &format!("add:{step}"), &["worktree", "add", "feat"]) {
        let finished = step >= 4;
        let state = listed_state(&sb, &root, "feat");
        if step <= 4 {
            assert_eq!(state.as_deref(), Some("add interrupted"), "add:{step}: list");
            let checks = registry_checks(&sb, &root);
            let check =
                checks.iter().find(|c| c["message"].as_str().unwrap().contains("add was interrupted"));
            let check = check.unwrap_or_else(|| panic!("add:{step}: {checks:#?}"));
            assert_eq!(check["status"], "fail");
        }
        let log = doctor_fix(&sb, &root);
        if step <= 4 {
            let verb = if finished { "finished it" } else { "rolled it back" };
            assert!(log.contains("settled worktree feat (add was interrupted"), "add:{step}: {log}");
            assert!(log.contains(verb), "add:{step}: expected {verb}: {log}");
        }
        assert_eq!(rows(&sb).len(), usize::from(finished), "add:{step}: rows");
        assert_consistent(&sb, &root, &["feat"]);
        assert_reusable(&sb, &root, "feat");
        assert_consistent(&sb, &root, &["feat"]);
        step += 1;
    }
    assert_eq!(step, 6, "add has five crash points");
}

#[test]
fn remove_crashed_at_every_step_is_finished() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let mut step = 1;
    loop {
        sb.cfn(&root, &["worktree", "add", "feat"]).assert().success();
        let args = ["worktree", "remove", "--delete-branch", "feat"];
        if !crash(&sb, &root, &format!("remove:{step}"), &args) {
            break;
        }
        assert_eq!(listed_state(&sb, &root, "feat").as_deref(), Some("remove interrupted"), "remove:{step}");
        // Another remove of the branch finishes it, as doctor --fix does.
        let log = if step % 2 == 0 {
            let out = sb.cfn(&root, &["worktree", "remove", "feat"]).output().unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            stderr(&out)
        } else {
            doctor_fix(&sb, &root)
        };
        assert!(log.contains("remove") && log.contains("finish"), "remove:{step}: {log}");
        assert!(rows(&sb).is_empty(), "remove:{step}: row left");
        assert!(!branches(&root).contains(&"feat".to_string()), "remove:{step}: the branch was to go");
        assert_consistent(&sb, &root, &["feat"]);
        assert_reusable(&sb, &root, "feat");
        step += 1;
    }
    assert_eq!(step, 5, "remove has four crash points");
    assert_consistent(&sb, &root, &["feat"]);
}

#[test]
fn an_interrupted_add_with_a_half_checkout_is_rolled_back_and_never_adopted() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    assert!(crash(&sb, &root, "add:2", &["worktree", "add", "feat"]));
    // As if git itself had been killed during its checkout: only `.git` is left, and git's
    // entry is still locked "initializing".
    let wt = sb.path().join("shop-feat");
    for entry in std::fs::read_dir(&wt).unwrap().flatten().filter(|e| e.file_name() != ".git") {
        let p = entry.path();
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap()
        } else {
            std::fs::remove_file(p).unwrap()
        }
    }
    std::fs::write(root.join(".git/worktrees/shop-feat/locked"), "initializing").unwrap();
    let log = doctor_fix(&sb, &root);
    assert!(log.contains("rolled it back"), "{log}");
    assert_consistent(&sb, &root, &["feat"]);
    assert_reusable(&sb, &root, "feat");

    // A plain `git worktree add` that never checked out is not registered as if it were real.
    git(&root, &["worktree", "add", "--no-checkout", "-b", "half", "../shop-half"]);
    let log = doctor_fix(&sb, &root);
    assert!(!log.contains("registered worktree half"), "{log}");
    assert!(rows(&sb).is_empty());
    let checks = registry_checks(&sb, &root);
    assert!(
        checks
            .iter()
            .any(|c| c["status"] == "warn"
                && c["message"].as_str().unwrap().contains("never fully checked out")),
        "{checks:#?}"
    );
}

#[test]
fn migrate_up_crashed_at_every_step_applies_each_migration_whole_or_not_at_all() {
    let sb = Sandbox::new();
    let root = sb.repo(
        "db",
        &[
            ("migrations/0001_log.up.sql", "CREATE TABLE log (v INT); INSERT INTO log VALUES (1);"),
            ("migrations/0002_more.up.sql", "CREATE TABLE more (x INT); INSERT INTO log VALUES (2);"),
        ],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let wt = std::path::PathBuf::from(
        sb.json(&root, &["worktree", "add", "feat", "--json"])["path"].as_str().unwrap(),
    );
    let db_path = wt.join(".cfn/data/app.db");
    let mut step = 1;
    loop {
        let _ = std::fs::remove_file(&db_path);
        if !crash(&sb, &wt, &format!("migrate:{step}"), &["migrate", "up", "--yes"]) {
            break;
        }
        // What was recorded is exactly what was applied.
        let status = sb.json(&wt, &["migrate", "status", "--json"]);
        let applied = status.as_array().unwrap().iter().filter(|r| r["state"] == "applied").count();
        let db = rusqlite::Connection::open(&db_path).unwrap();
        let log: Vec<i64> = match db.prepare("SELECT v FROM log ORDER BY v") {
            Ok(mut stmt) => stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect(),
            Err(_) => Vec::new(),
        };
        assert_eq!(log, (1..=applied as i64).collect::<Vec<_>>(), "migrate:{step}: applied {applied}");
        // The dead migrator's lock went with it: the next run does not wait for it.
        let started = Instant::now();
        sb.cfn(&wt, &["migrate", "up", "--yes"]).assert().success();
        assert!(started.elapsed() < Duration::from_secs(20), "migrate:{step}: waited for a dead lock");
        let status = sb.json(&wt, &["migrate", "status", "--json"]);
        assert!(status.as_array().unwrap().iter().all(|r| r["state"] == "applied"), "{status}");
        step += 1;
    }
    assert_eq!(step, 4, "migrate up has three crash points");
}
