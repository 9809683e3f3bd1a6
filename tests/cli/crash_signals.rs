//! Interrupts and races on `worktree add`: SIGINT (to cfn alone, or to its whole process group
//! as Ctrl-C does), SIGHUP and SIGTERM roll the add back like any other failure; of eight
//! parallel adds of one branch one wins and the others are told the branch already has one; a
//! project hook running when cfn is killed ends with it.

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

#[test]
fn a_project_hook_does_not_outlive_cfn() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let pid_file = sb.path().join("hook-pid");
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let hook = format!(
        "\n[hooks]\npost_create = [[\"sh\", \"-c\", \"echo $$ > '{}'; exec sleep 60\"]]\n",
        pid_file.display()
    );
    std::fs::write(root.join("cfn.toml"), toml + &hook).unwrap();
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    // cfn alone gets the signal (a `kill` of its pid, not Ctrl-C at a terminal).
    for (n, signal) in ["-TERM", "-KILL"].into_iter().enumerate() {
        let _ = std::fs::remove_file(&pid_file);
        let branch = format!("hooked{n}");
        let child = spawn_cfn(&sb, &root, &["worktree", "add", &branch], &[]);
        let deadline = Instant::now() + Duration::from_secs(30);
        let hook_pid = loop {
            if let Some(pid) =
                std::fs::read_to_string(&pid_file).ok().and_then(|t| t.trim().parse::<u32>().ok())
            {
                break pid;
            }
            assert!(Instant::now() < deadline, "the hook never ran");
            std::thread::sleep(Duration::from_millis(20));
        };
        kill(child.id(), signal, false);
        // Not reading its output: a hook left running would hold the pipes open.
        let mut child = child;
        let status = child.wait().unwrap();
        assert!(!status.success(), "{signal}: {status}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while is_alive(hook_pid) {
            assert!(Instant::now() < deadline, "{signal}: the hook (pid {hook_pid}) outlived cfn");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether `pid` runs (a zombie left to a PID 1 that does not reap counts as ended).
fn is_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
}
