//! Operations on one branch exclude each other: `worktree remove --force` while `up` is still
//! starting the same branch's stack either waits for it and then removes everything, or is
//! refused with "branch busy" and changes nothing — never both succeed, leaving a running stack
//! whose ports were released. A killed holder frees the branch at once.

use crate::harness::*;
use crate::small_stack::SmallStack;
use std::time::{Duration, Instant};

/// A service that becomes healthy only after 8 s, so that `up` holds the branch that long.
const SLOW: &str = "  slow:
    image: cfn-test/app:1
    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM INT; sleep 8 & wait $!; touch /tmp/ready; /usr/local/bin/serve & wait $!\"]
    healthcheck: {test: [\"CMD\", \"test\", \"-f\", \"/tmp/ready\"], interval: 1s, timeout: 1s, retries: 30}
";

/// Starts `cfn up` in the worktree and returns once its containers exist (it then holds the
/// branch's lock until the slow service is ready).
fn start_up(s: &SmallStack) -> std::process::Child {
    let up = s.spawn(&s.wt, &["up", "--timeout", "60"], &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while s.running().is_empty() {
        assert!(Instant::now() < deadline, "up created no container");
        std::thread::sleep(Duration::from_millis(100));
    }
    up
}

fn registered(s: &SmallStack) -> i64 {
    s.sb.count("SELECT COUNT(*) FROM worktrees WHERE branch = 'feat'")
}

#[test]
fn remove_during_up_is_refused_and_changes_nothing() {
    let Some(s) = SmallStack::new("busyrefused", SLOW) else { return };
    let up = start_up(&s);
    let out = s
        .cfn(&s.root, &["worktree", "remove", "feat", "--force", "--yes"])
        .env("CFN_LOCK_WAIT", "0")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("branch busy: up by pid {}", up.id())), "{err}");
    assert!(err.contains("hint: "), "{err}");
    let up = up.wait_with_output().unwrap();
    assert!(up.status.success(), "up: {}", stderr(&up));
    assert!(s.wt.exists(), "the worktree is still there");
    assert_eq!(registered(&s), 1);
    assert_eq!(s.sb.count("SELECT COUNT(*) FROM leases"), 1, "its port is still leased");
    assert_eq!(s.running().len(), 2, "the stack runs, on its leased ports");
    // Once up is done, the same removal goes through and stops everything.
    s.cfn(&s.root, &["worktree", "remove", "feat", "--force", "--yes"]).assert().success();
    assert!(s.running().is_empty());
    assert_eq!(s.sb.count("SELECT COUNT(*) FROM leases"), 0);
}

#[test]
fn remove_during_up_waits_for_it_then_removes_everything() {
    let Some(s) = SmallStack::new("busywaits", SLOW) else { return };
    let up = start_up(&s);
    let remove =
        s.spawn(&s.root, &["worktree", "remove", "feat", "--force", "--yes"], &[("CFN_LOCK_WAIT", "60")]);
    let up = up.wait_with_output().unwrap();
    let remove = remove.wait_with_output().unwrap();
    assert!(up.status.success(), "up: {}", stderr(&up));
    let err = stderr(&remove);
    assert!(remove.status.success(), "{err}");
    assert!(err.contains("waiting for up by pid"), "{err}");
    assert!(s.running().is_empty(), "the removal came after up, and stopped its stack");
    assert!(!s.wt.exists());
    assert_eq!(registered(&s), 0);
    assert_eq!(s.sb.count("SELECT COUNT(*) FROM leases"), 0);
}

#[test]
fn a_killed_up_frees_the_branch_at_once() {
    let Some(s) = SmallStack::new("busykilled", SLOW) else { return };
    let mut up = start_up(&s);
    up.kill().unwrap(); // SIGKILL: no chance to clean up
    up.wait().unwrap();
    let started = Instant::now();
    let out = s.cfn(&s.wt, &["down"]).env("CFN_LOCK_WAIT", "0").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(s.running().is_empty());
}
