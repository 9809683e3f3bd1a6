//! Interrupts and races on `worktree add`: SIGINT (to cfn alone, or to its whole process group
//! as Ctrl-C does), SIGHUP and SIGTERM roll the add back like any other failure; of eight
//! parallel adds of one branch one wins and the others are told the branch already has one.

use crate::crash_invariants::*;
use crate::harness::*;
use std::time::{Duration, Instant};

/// A post-checkout hook that marks that git is running and then takes its time, so a signal
/// lands in the middle of the add.
fn slow_hook(root: &std::path::Path, marker: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let hook = root.join(".git/hooks/post-checkout");
    let script = format!("#!/bin/sh\ntouch '{}'\nsleep 2\n", marker.display());
    std::fs::write(&hook, script).unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn interrupts_during_add_roll_it_back() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let marker = sb.path().join("hook-ran");
    slow_hook(&root, &marker);
    for (signal, name, group) in [
        ("-INT", "SIGINT", false),
        ("-INT", "SIGINT", true),
        ("-HUP", "SIGHUP", false),
        ("-TERM", "SIGTERM", false),
    ] {
        let _ = std::fs::remove_file(&marker);
        let child = spawn_cfn(&sb, &root, &["worktree", "add", "feat"], &[]);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !marker.exists() {
            assert!(Instant::now() < deadline, "the hook never ran");
            std::thread::sleep(Duration::from_millis(20));
        }
        kill(child.id(), signal, group);
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name} (group {group}): {err}");
        assert!(err.contains(&format!("interrupted by {name}")), "{name} (group {group}): {err}");
        assert!(rows(&sb).is_empty(), "{name}: row left");
        assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 0, "{name}: lease left");
        assert_consistent(&sb, &root, &["feat"]);
    }
    std::fs::remove_file(root.join(".git/hooks/post-checkout")).unwrap();
    assert_reusable(&sb, &root, "feat");
}

#[test]
fn eight_parallel_adds_of_one_branch_one_wins() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let children: Vec<_> = (0..8).map(|_| spawn_cfn(&sb, &root, &["worktree", "add", "same"], &[])).collect();
    let outs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let won = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "exactly one add wins");
    let path = sb.path().join("shop-same");
    for out in outs.iter().filter(|o| !o.status.success()) {
        let err = stderr(out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(!err.contains("UNIQUE constraint"), "{err}");
        assert!(err.contains(&format!("branch same already has a worktree at {}", path.display())), "{err}");
        assert!(err.contains("hint:"), "{err}");
    }
    assert_consistent(&sb, &root, &["same"]);
    assert_reusable(&sb, &root, "same");
}
