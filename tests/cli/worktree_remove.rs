//! `cfn worktree remove`: never loses uncommitted work without --force.

use crate::harness::*;
use std::path::{Path, PathBuf};

fn added(sb: &Sandbox, root: &Path, branch: &str) -> PathBuf {
    let v = sb.json(root, &["worktree", "add", branch, "--json"]);
    PathBuf::from(v["path"].as_str().unwrap())
}

#[test]
fn remove_refuses_uncommitted_changes_and_leaves_them() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = added(&sb, &root, "dirty");
    std::fs::write(wt.join("docker-compose.yml"), "changed").unwrap();
    let out = sb.cfn(&root, &["worktree", "remove", "dirty"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("uncommitted"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"));
    assert_eq!(std::fs::read_to_string(wt.join("docker-compose.yml")).unwrap(), "changed");
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 3, "lease kept");
}

#[test]
fn remove_refuses_untracked_files() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = added(&sb, &root, "untracked");
    std::fs::write(wt.join("notes.txt"), "precious").unwrap();
    let out = sb.cfn(&root, &["worktree", "remove", "untracked"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("notes.txt"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(wt.join("notes.txt")).unwrap(), "precious");
}

#[test]
fn force_removes_releases_and_keeps_the_branch() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = added(&sb, &root, "forced");
    std::fs::write(wt.join("notes.txt"), "x").unwrap();
    sb.cfn(&root, &["worktree", "remove", "forced", "--force"]).assert().success();
    assert!(!wt.exists());
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 0);
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 0);
    assert!(branches(&root).contains(&"forced".to_string()));
}

#[test]
fn delete_branch_only_when_asked_and_only_merged_without_force() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    added(&sb, &root, "merged");
    sb.cfn(&root, &["worktree", "remove", "merged", "--delete-branch"]).assert().success();
    assert!(!branches(&root).contains(&"merged".to_string()));

    let wt = added(&sb, &root, "unmerged");
    std::fs::write(wt.join("new.txt"), "x").unwrap();
    git(&wt, &["add", "new.txt"]);
    git(&wt, &["commit", "-q", "-m", "work"]);
    let out = sb.cfn(&root, &["worktree", "remove", "unmerged", "--delete-branch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not merged; nothing was removed"), "{}", stderr(&out));
    assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
    // checked before anything changed: the worktree, its registration and the branch remain
    assert!(wt.join("new.txt").exists(), "the worktree is kept");
    let listed = sb.cfn(&root, &["worktree", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains("unmerged"), "still registered");
    assert!(branches(&root).contains(&"unmerged".to_string()), "unmerged branch kept");
    // --force deletes it anyway, as `git branch -D` would
    sb.cfn(&root, &["worktree", "remove", "unmerged", "--delete-branch", "--force"]).assert().success();
    assert!(!branches(&root).contains(&"unmerged".to_string()));
}

#[test]
fn a_worktree_deleted_by_hand_can_still_be_removed() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = added(&sb, &root, "vanished");
    std::fs::remove_dir_all(&wt).unwrap();
    sb.cfn(&root, &["worktree", "remove", "vanished"]).assert().success();
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 0);
}
