//! A container agent on the real engine: it runs on the stack's network (reaching the branch's
//! Redis by service name), sees the worktree at /workspace, gets its memory limit, reports
//! through `cfn`, and is removed afterwards.

use crate::harness::*;
use crate::stack_harness::*;
use std::path::PathBuf;

/// A test image holding this build's cfn and a busybox shell; removed when dropped.
pub(crate) struct Image(pub(crate) String);
impl Drop for Image {
    fn drop(&mut self) {
        docker_ok(&["rmi", "-f", &self.0]);
    }
}

/// Builds the agent image (tests/images/agent) under a tag of this test process.
pub(crate) fn agent_image(name: &str) -> Image {
    let tag = format!("cfn-test/{name}:{}", std::process::id());
    let built = std::process::Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/images/agent/build.sh"))
        .arg(assert_cmd::cargo::cargo_bin("cfn"))
        .arg(&tag)
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", stderr(&built));
    Image(tag)
}

/// `agents/report.sh`: a command agent that reports through `$CFN_BIN`.
pub(crate) const REPORT: &str =
    "#!/bin/sh\n\"$CFN_BIN\" agent report --confidence 0.95 --payload \"${1:-null}\"\n";

/// A loop team whose implementer `boxed` runs `in_container` (a shell command) in the image
/// `tag`, with `profile` lines added to its profile; validator and product owner are command
/// agents running `agents/report.sh` ([`REPORT`]).
pub(crate) fn boxed_team(tag: &str, in_container: &str, profile: &str) -> String {
    format!(
        r#"
[loop]
mode = "mvp"
implementers = ["boxed"]
validators = ["val"]
product_owner = "po"

[agents.boxed]
role = "implementer"
image = "{tag}"
command = ["sh", "-c", "{in_container}"]
{profile}
[agents.val]
role = "validator"
command = ["sh", "agents/report.sh"]
env = ["CFN_BIN"]

[agents.po]
role = "product-owner"
command = ["sh", "agents/report.sh", "{{\"decision\": \"PROCEED\"}}"]
env = ["CFN_BIN"]
"#
    )
}

/// A repository `name` with `compose` and the [`boxed_team`], its worktree `boxed` added and
/// its stack up: the worktree, and the guard that takes the stack down.
pub(crate) fn boxed_worktree(
    sb: &Sandbox,
    name: &str,
    compose: &str,
    tag: &str,
    in_container: &str,
    profile: &str,
) -> (PathBuf, Cleanup) {
    let root = sb.repo(name, &[("docker-compose.yml", compose), ("agents/report.sh", REPORT)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(root.join("cfn.toml"), toml + &boxed_team(tag, in_container, profile)).unwrap();
    let v = sb.json(&root, &["worktree", "add", "boxed", "--json"]);
    let wt = PathBuf::from(v["path"].as_str().unwrap());
    let cleanup = Cleanup(vec![v["project"].as_str().unwrap().to_string()]);
    cfn_with(sb, &wt, V2, &["up", "--timeout", "60"]).assert().success();
    (wt, cleanup)
}

#[test]
fn a_container_agent_runs_on_the_stack_network_and_is_removed() {
    if !engine_ready(V2) {
        return;
    }
    let sb = Sandbox::new();
    let image = agent_image("agent");
    let tag = image.0.clone();

    let ports = port_block("cagent");
    let compose =
        format!("services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"{}:6379\"]\n", ports.base);
    let root = sb.repo("cagent", &[("docker-compose.yml", &compose), ("agents/report.sh", REPORT)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let in_container =
        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes > /workspace/.cfn/limit 2>/dev/null; \
                        touch /workspace/.cfn/from-container; env > /workspace/.cfn/agent-env; \
                        cfn agent report --confidence 0.9";
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let team = boxed_team(&tag, in_container, "memory = \"256m\"\ncpus = 0.5\ntimeout = 60\n");
    std::fs::write(root.join("cfn.toml"), toml + &team).unwrap();
    let v = sb.json(&root, &["worktree", "add", "boxed", "--json"]);
    let wt = PathBuf::from(v["path"].as_str().unwrap());
    let project = v["project"].as_str().unwrap().to_string();
    let _cleanup = Cleanup(vec![project.clone()]);
    cfn_with(&sb, &wt, V2, &["up", "--timeout", "60"]).assert().success();

    let out = sb
        .cfn(&wt, &["loop", "run", "--yes", "--epic", "in a box", "--task-id", "boxed", "--json"])
        .env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
        .env("GITHUB_TOKEN", "github-secret")
        .env("OPENAI_API_KEY", "openai-secret")
        .env_remove("CFN_REDIS_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["status"], "proceed");
    assert!(summary["bus"].as_str().unwrap().contains("redis"), "the stack's redis: {summary}");
    assert!(wt.join(".cfn/from-container").is_file(), "the worktree is /workspace");
    let env = std::fs::read_to_string(wt.join(".cfn/agent-env")).expect("the agent wrote its environment");
    assert!(!env.contains("github-secret") && !env.contains("openai-secret"), "host secrets passed:\n{env}");
    assert!(env.contains("PATH=/usr/local/bin:/bin"), "the image's PATH, not the host's:\n{env}");
    assert!(env.contains("CFN_AGENT_TOKEN=") && env.contains("CFN_AGENT_ID=boxed"), "{env}");
    // cgroup v1 (these machines): the limit is visible inside the container.
    let limit = std::fs::read_to_string(wt.join(".cfn/limit")).expect("the agent read its memory limit");
    assert_eq!(limit.trim(), (256u64 << 20).to_string(), "memory limit applied");
    // This stack's agents only: other tests' agents may run meanwhile.
    let network = format!("network={project}_default");
    let left = docker_lines(&["ps", "-aq", "--filter", "label=dev.cfn.agent", "--filter", &network]);
    assert!(left.is_empty(), "agent containers removed: {left:?}");
}

/// Without a Redis in the stack the run's bus is its embedded file, which the container sees
/// under /workspace: `CFN_BUS_PATH` names it there, and the agent's report reaches the run.
#[test]
fn a_container_agent_reports_on_the_embedded_bus() {
    if !engine_ready(V2) {
        return;
    }
    let sb = Sandbox::new();
    let image = agent_image("agent-embedded");
    let ports = port_block("cagent-embedded");
    let compose =
        format!("services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"{}:8080\"]\n", ports.base);
    let in_container = "echo $CFN_BUS_PATH > /workspace/.cfn/bus-path; cfn agent report --confidence 0.9";
    let (wt, _cleanup) = boxed_worktree(&sb, "cagentemb", &compose, &image.0, in_container, "timeout = 60\n");
    let out = sb
        .cfn(&wt, &["loop", "run", "--yes", "--epic", "embedded", "--task-id", "boxed-emb", "--json"])
        .env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
        .env_remove("CFN_REDIS_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["status"], "proceed", "{}", stderr(&out));
    let seen = std::fs::read_to_string(wt.join(".cfn/bus-path")).unwrap();
    assert!(seen.trim().starts_with("/workspace/"), "the bus as the container sees it: {seen}");
}
