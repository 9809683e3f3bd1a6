//! cfn's git hooks: chained with what was there, restored on uninstall, where git really looks,
//! and a plain `git worktree add` ends provisioned.

use crate::harness::*;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

fn write_hook(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn an_existing_hook_is_chained_and_restored() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let marker = sb.path().join("old-hook-ran");
    let hook = root.join(".git/hooks/post-checkout");
    write_hook(&hook, &format!("echo \"$@\" >> '{}'", marker.display()));
    let original = std::fs::read_to_string(&hook).unwrap();

    sb.cfn(&root, &["hooks", "install"]).assert().success();
    sb.cfn(&root, &["hooks", "install"]).assert().success(); // idempotent
    let status = sb.json(&root, &["hooks", "status", "--json"]);
    assert_eq!(status[0]["installed"], true);
    assert_eq!(status[0]["chained"], true);

    user_git(&sb, &root, &["checkout", "-q", "-b", "other"]);
    assert!(std::fs::read_to_string(&marker).unwrap().lines().count() >= 1, "the old hook still runs");

    sb.cfn(&root, &["hooks", "uninstall"]).assert().success();
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), original, "the old hook is back");
    assert!(!root.join(".git/hooks/post-checkout.cfn-chained").exists());
    assert!(!root.join(".git/hooks/post-merge").exists());
}

#[test]
fn a_plain_git_worktree_add_ends_provisioned() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    sb.cfn(&root, &["hooks", "install"]).assert().success();
    let wt = sb.path().join("plain-wt");
    user_git(&sb, &root, &["worktree", "add", "-q", "-b", "plain", wt.to_str().unwrap()]);
    assert!(wt.join(".cfn/env").is_file(), "rendered by the hook");
    let list = sb.json(&root, &["worktree", "list", "--json"]);
    let row = list.as_array().unwrap().iter().find(|w| w["branch"] == "plain").expect("registered");
    assert_eq!(row["ports"].as_object().unwrap().len(), 3);
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees WHERE state = 'ready'"), 1);
    // cfn's own add is not provisioned twice by the hook.
    sb.cfn(&root, &["worktree", "add", "via-cfn"]).assert().success();
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 2);
}

#[test]
fn hooks_follow_core_hookspath_and_work_from_a_linked_worktree() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let v = sb.json(&root, &["worktree", "add", "linked", "--json"]);
    let linked = Path::new(v["path"].as_str().unwrap()).to_path_buf();
    let custom = root.join("githooks");
    git(&root, &["config", "core.hooksPath", custom.to_str().unwrap()]);
    let existing = custom.join("post-merge");
    write_hook(&existing, "exit 0");

    // Installed from the linked worktree, into the folder git really uses.
    let status = sb.json(&linked, &["hooks", "install", "--json"]);
    assert_eq!(Path::new(status[0]["path"].as_str().unwrap()), custom.join("post-checkout"));
    assert!(custom.join("post-checkout").is_file());
    assert!(custom.join("post-merge.cfn-chained").is_file());
    assert!(!root.join(".git/hooks/post-checkout").exists());

    let wt = sb.path().join("via-hookspath");
    user_git(&sb, &linked, &["worktree", "add", "-q", "-b", "hp", wt.to_str().unwrap()]);
    assert!(wt.join(".cfn/env").is_file());
    sb.cfn(&linked, &["hooks", "uninstall"]).assert().success();
    assert!(existing.is_file() && !custom.join("post-checkout").exists());
}

#[test]
fn post_merge_announces_new_migrations() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    sb.cfn(&root, &["hooks", "install"]).assert().success();
    git(&root, &["checkout", "-q", "-b", "feature"]);
    std::fs::create_dir(root.join("migrations")).unwrap();
    std::fs::write(root.join("migrations/0001_a.up.sql"), "CREATE TABLE a (x INT);").unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "migration"]);
    git(&root, &["checkout", "-q", "main"]);
    let out = user_git(&sb, &root, &["merge", "-q", "--ff-only", "feature"]);
    assert!(stderr(&out).contains("1 new migration(s)"), "{}", stderr(&out));
}
