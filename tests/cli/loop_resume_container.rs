//! A container agent left running by a coordinator killed outright: containers are not the
//! coordinator's children, so nothing kills them with it; `cfn loop resume` must find the
//! container its journal recorded, remove it, run the agent again and reach the decision.

use crate::container_agent::{agent_image, boxed_worktree};
use crate::harness::*;
use crate::stack_harness::*;
use std::time::{Duration, Instant};

#[test]
fn a_container_agent_left_by_a_killed_coordinator_is_removed_and_run_again() {
    if !engine_ready(V2) {
        return;
    }
    let sb = Sandbox::new();
    let image = agent_image("resume-agent");
    let ports = port_block("resume-container");
    let compose =
        format!("services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"{}:6379\"]\n", ports.base);
    // The first turn hangs (the coordinator is killed meanwhile); the turn run again reports.
    let in_container = "if mkdir /workspace/.cfn/first-turn 2>/dev/null; then busybox sleep 120; fi; \
                        cfn agent report --confidence 0.9";
    let (wt, _cleanup) = boxed_worktree(&sb, "rescont", &compose, &image.0, in_container, "timeout = 180\n");

    let cfn = |args: &[&str]| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
        cmd.current_dir(&wt).args(args);
        for (k, val) in hermetic_env(&sb.home, sb.path()) {
            cmd.env(k, val);
        }
        cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn")).env_remove("CFN_REDIS_URL");
        cmd
    };
    let mut run = cfn(&["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", "boxed-crash"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once the container agent's turn is recorded and the container runs.
    let deadline = Instant::now() + Duration::from_secs(90);
    let container = loop {
        let id: Option<String> = sb
            .db()
            .query_row(
                "SELECT container FROM loop_turns WHERE task_id = 'boxed-crash' AND agent = 'boxed'
                   AND container IS NOT NULL AND container != ''",
                [],
                |r| r.get(0),
            )
            .ok();
        if let Some(id) = id.filter(|_| wt.join(".cfn/first-turn").is_dir()) {
            break id;
        }
        assert!(Instant::now() < deadline, "the container agent never started");
        std::thread::sleep(Duration::from_millis(100));
    };
    run.kill().unwrap();
    run.wait().unwrap();
    let running = |id: &str| docker_lines(&["ps", "-q", "--no-trunc", "--filter", &format!("id={id}")]);
    assert_eq!(running(&container).len(), 1, "the container outlives its coordinator");
    let list = sb.json(&wt, &["loop", "list", "--json"]);
    assert_eq!(list[0]["status"], "interrupted", "{list}");

    let out = cfn(&["loop", "resume", "boxed-crash", "--yes", "--json"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["status"], "proceed", "{err}");
    let short: String = container.chars().take(12).collect();
    assert!(
        err.contains(&format!("boxed (container {short}) was still running: killed; it runs again")),
        "{err}"
    );
    assert!(running(&container).is_empty(), "the left container is gone");
    let any = docker_lines(&["ps", "-aq", "--no-trunc", "--filter", &format!("id={container}")]);
    assert!(any.is_empty(), "removed, not only stopped: {any:?}");
}
