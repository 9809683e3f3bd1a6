//! `worktree prune` of a worktree deleted by hand while its stack runs, on the real engine: the
//! stack is stopped (volumes kept) before its ports are released, or kept with its ports when
//! asked; with no engine to ask (or the branch busy) nothing is released, neither by prune nor
//! by `doctor --fix` nor for an interrupted remove; killed between stopping and releasing, the
//! next repair finishes the job. A deleted repository's stacks go the same way.

use crate::harness::*;
use crate::small_stack::SmallStack;
use crate::stack_harness::{containers_of, networks_of, redis, volumes_of};
use serde_json::Value;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::ExitStatusExt as _;
use std::time::Duration;

/// A SmallStack whose branch `feat` is up, with a key stored in its Redis, and whose worktree
/// was then deleted by hand (directory removed, and git told to forget it).
fn deleted_while_running(name: &str) -> Option<SmallStack> {
    let s = SmallStack::new(name, "")?;
    s.cfn(&s.wt, &["up", "--timeout", "60"]).assert().success();
    assert_eq!(s.running().len(), 1);
    assert!(redis(s.redis_port, &["SET", "kept", "yes"]).contains("OK"));
    std::fs::remove_dir_all(&s.wt).unwrap();
    git(&s.root, &["worktree", "prune"]);
    Some(s)
}

fn leases_of(s: &SmallStack, port: u16) -> i64 {
    s.sb.count(&format!("SELECT COUNT(*) FROM leases WHERE port = {port}"))
}

fn listed(s: &SmallStack, branch: &str) -> bool {
    let list = s.sb.json(&s.root, &["worktree", "list", "--json"]);
    list.as_array().unwrap().iter().any(|w| w["branch"] == branch)
}

/// Whether anything accepts connections on 127.0.0.1:port.
fn listening(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok()
}

fn entry<'a>(pruned: &'a Value, branch: &str) -> &'a Value {
    let list = pruned.as_array().unwrap();
    list.iter().find(|p| p["branch"] == branch).unwrap_or_else(|| panic!("{branch}: {pruned:#}"))
}

#[test]
fn prune_stops_the_stack_of_a_deleted_worktree_before_releasing_its_ports() {
    let Some(s) = deleted_while_running("prunestop") else { return };
    let volumes = volumes_of(&s.project);
    assert_eq!(volumes.len(), 1);

    let out = s.cfn(&s.root, &["worktree", "prune", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let pruned: Value = serde_json::from_slice(&out.stdout).unwrap();
    let feat = entry(&pruned, "feat");
    assert_eq!(feat["stack"]["action"], "stopped", "{feat:#}");
    assert_eq!(feat["stack"]["containers"].as_array().unwrap().len(), 1, "{feat:#}");
    assert!(feat["released_ports"].as_array().unwrap().contains(&Value::from(s.redis_port)), "{feat:#}");
    assert!(containers_of(&s.project).is_empty(), "containers stopped and removed");
    assert!(networks_of(&s.project).is_empty(), "network removed");
    assert_eq!(volumes_of(&s.project), volumes, "volumes kept");
    assert_eq!(leases_of(&s, s.redis_port), 0, "released once nothing publishes it");
    assert!(!listed(&s, "feat"));

    // Added again, the branch gets ports nothing listens on, and its data back from the volume.
    let again = s.sb.json(&s.root, &["worktree", "add", "feat", "--json"]);
    let ports = ports_of(&again);
    assert!(ports.iter().all(|p| !listening(*p)), "a re-added branch's ports are free: {ports:?}");
    let wt = std::path::PathBuf::from(again["path"].as_str().unwrap());
    s.cfn(&wt, &["up", "--timeout", "60"]).assert().success();
    let port = again["ports"]["redis"].as_u64().unwrap() as u16;
    assert!(redis(port, &["GET", "kept"]).contains("yes"), "the volume kept the data");
}

#[test]
fn keep_stacks_keeps_the_stack_running_with_its_ports_and_says_so() {
    let Some(s) = deleted_while_running("prunekeep") else { return };

    let out = s.cfn(&s.root, &["worktree", "prune", "--keep-stacks"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("warning: kept feat at"), "{err}");
    assert!(err.contains("its stack still runs (--keep-stacks"), "{err}");
    assert!(err.contains(&format!("ports {} stay leased", s.redis_port)), "{err}");
    assert_eq!(s.running().len(), 1, "the stack runs on");
    assert!(redis(s.redis_port, &["GET", "kept"]).contains("yes"));
    assert_eq!(leases_of(&s, s.redis_port), 1, "its port stays leased");
    assert!(listed(&s, "feat"));

    // Another branch never gets the port the kept stack publishes.
    let other = s.sb.json(&s.root, &["worktree", "add", "other", "--json"]);
    let _cleanup = crate::stack_harness::Cleanup(vec![other["project"].as_str().unwrap().to_string()]);
    assert!(!ports_of(&other).contains(&s.redis_port), "{other:#}");
    assert!(ports_of(&other).iter().all(|p| !listening(*p)), "{other:#}");

    // Without the flag, the next prune stops it and releases the port.
    let out = s.cfn(&s.root, &["worktree", "prune"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("pruned feat at") && err.contains("stopped its stack (1 container, volumes kept)"),
        "{err}"
    );
    assert!(s.running().is_empty());
    assert_eq!(leases_of(&s, s.redis_port), 0);
}

#[test]
fn with_no_engine_to_ask_prune_and_doctor_fix_release_nothing() {
    let Some(s) = deleted_while_running("prunenoengine") else { return };
    let no_engine = "unix:///nonexistent/docker.sock";

    let out = s.cfn(&s.root, &["worktree", "prune"]).env("DOCKER_HOST", no_engine).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("warning: kept feat at"), "{err}");
    assert!(err.contains("could not be checked or stopped: cannot reach the Docker engine"), "{err}");
    assert!(err.contains("error: 1 worktree was kept with its ports: it could not be settled"), "{err}");
    assert!(err.contains("hint: the warnings above say why; start the Docker engine"), "{err}");
    assert_eq!(leases_of(&s, s.redis_port), 1, "not released: its stack may still run");
    assert!(listed(&s, "feat"));

    let out = s.cfn(&s.root, &["doctor", "--fix"]).env("DOCKER_HOST", no_engine).output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("kept worktree feat (directory is gone) with its registration"), "{err}");
    assert_eq!(leases_of(&s, s.redis_port), 1, "doctor --fix does not release it either");
    assert_eq!(s.running().len(), 1);

    // With the engine back, doctor --fix stops the stack and then releases the port.
    let out = s.cfn(&s.root, &["doctor", "--fix"]).output().unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("fixed: forgot worktree feat (directory is gone), stopped its stack (1 container, volumes kept), released ports"),
        "{err}"
    );
    assert!(s.running().is_empty());
    assert_eq!(volumes_of(&s.project).len(), 1, "volumes kept");
    assert_eq!(leases_of(&s, s.redis_port), 0);
}

#[test]
fn prune_killed_between_stopping_and_releasing_is_finished_by_the_next() {
    let Some(s) = deleted_while_running("prunekilled") else { return };

    let out = s.cfn(&s.root, &["worktree", "prune"]).env("CFN_CRASH_AT", "prune:1").output().unwrap();
    assert_eq!(out.status.signal(), Some(6), "expected an abort: {}", stderr(&out));
    assert!(stderr(&out).contains("crash point prune:1 reached"));
    assert!(containers_of(&s.project).is_empty(), "stopped before the crash");
    assert_eq!(leases_of(&s, s.redis_port), 1, "not yet released");
    assert!(listed(&s, "feat"));

    let out = s.cfn(&s.root, &["worktree", "prune", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let pruned: Value = serde_json::from_slice(&out.stdout).unwrap();
    let feat = entry(&pruned, "feat");
    assert_eq!(feat["reason"], "directory is gone");
    assert!(feat.get("stack").is_none(), "nothing left to stop: {feat:#}");
    assert_eq!(leases_of(&s, s.redis_port), 0, "released by the next prune");
    assert!(!listed(&s, "feat"));
    assert_eq!(volumes_of(&s.project).len(), 1, "volumes kept");
}

/// A service that becomes healthy only after 8 s, so that `up` holds the branch that long.
const SLOW: &str = "  slow:
    image: cfn-test/app:1
    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM INT; sleep 8 & wait $!; touch /tmp/ready; /usr/local/bin/serve & wait $!\"]
    healthcheck: {test: [\"CMD\", \"test\", \"-f\", \"/tmp/ready\"], interval: 1s, timeout: 1s, retries: 30}
";

#[test]
fn prune_leaves_a_branch_alone_while_up_holds_it() {
    let Some(s) = SmallStack::new("prunebusy", SLOW) else { return };
    let up = s.spawn(&s.wt, &["up", "--timeout", "60"], &[]);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while s.running().is_empty() {
        assert!(std::time::Instant::now() < deadline, "up created no container");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::remove_dir_all(&s.wt).unwrap();

    let out = s.cfn(&s.root, &["worktree", "prune"]).env("CFN_LOCK_WAIT", "0").output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("branch busy: up by pid {}", up.id())), "{err}");
    assert!(err.contains("error: 1 worktree was kept with its ports: it could not be settled"), "{err}");
    assert_eq!(leases_of(&s, s.redis_port), 1, "not released under a running up");
    assert!(!s.running().is_empty(), "prune did not touch the stack up is starting");

    // Once up is over (whatever its outcome without its files), prune settles the branch.
    up.wait_with_output().unwrap();
    let out = s.cfn(&s.root, &["worktree", "prune"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("stopped its stack (2 containers, volumes kept)"), "{err}");
    assert!(containers_of(&s.project).is_empty());
    assert_eq!(leases_of(&s, s.redis_port), 0);
}

#[test]
fn a_repository_without_a_stack_is_pruned_without_the_engine() {
    let sb = Sandbox::new();
    let root = sb.repo("nostack", &[("cfn.toml", "[project]\nname = \"nostack\"\n")]);
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    std::fs::remove_dir_all(wt["path"].as_str().unwrap()).unwrap();
    let out = sb
        .cfn(&root, &["worktree", "prune"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("pruned feat at") && err.contains("directory is gone"), "{err}");
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 0);
}

#[test]
fn prune_all_stops_the_stacks_of_a_deleted_repository_before_forgetting_it() {
    let Some(s) = SmallStack::new("prunerepo", "") else { return };
    s.cfn(&s.wt, &["up", "--timeout", "60"]).assert().success();
    assert_eq!(s.running().len(), 1);
    let volumes = volumes_of(&s.project);
    std::fs::remove_dir_all(&s.root).unwrap();

    let out = s.cfn(s.sb.path(), &["worktree", "prune", "--all"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("pruned feat at") && err.contains("repository is gone; stopped its stack"), "{err}");
    assert!(err.contains("pruned repository at"), "{err}");
    assert!(containers_of(&s.project).is_empty());
    assert_eq!(volumes_of(&s.project), volumes, "volumes kept");
    assert_eq!(leases_of(&s, s.redis_port), 0);
    assert_eq!(s.sb.count("SELECT COUNT(*) FROM repositories"), 0);
}

#[test]
fn an_interrupted_remove_is_not_finished_while_its_stack_cannot_be_stopped() {
    let Some(s) = SmallStack::new("pruneremove", "") else { return };
    s.cfn(&s.wt, &["up", "--timeout", "60"]).assert().success();
    let remove = ["worktree", "remove", "feat", "--force", "--yes"];
    let out = s.cfn(&s.root, &remove).env("CFN_CRASH_AT", "remove:1").output().unwrap();
    assert_eq!(out.status.signal(), Some(6), "expected an abort: {}", stderr(&out));

    let out = s
        .cfn(&s.root, &["worktree", "prune"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("an interrupted operation could not be settled yet"), "{err}");
    assert!(err.contains("the stack of feat could not be stopped; its ports stay leased"), "{err}");
    assert_eq!(leases_of(&s, s.redis_port), 1, "its stack still runs on it");
    assert_eq!(s.running().len(), 1);

    let out = s.cfn(&s.root, &["worktree", "prune"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("remove was interrupted: finished it"), "{err}");
    assert!(containers_of(&s.project).is_empty());
    assert_eq!(leases_of(&s, s.redis_port), 0);
    assert!(!s.wt.exists());
}
