//! The loop end to end with scripted agents (real processes reporting through the real binary)
//! on a real Redis and on the embedded bus.

use crate::harness::*;
use std::path::{Path, PathBuf};

/// An agent script: `report CONF [STATUS] [PAYLOAD]` is available to it.
pub(crate) fn agent(body: &str) -> String {
    format!(
        "#!/bin/sh\nreport() {{ \"$CFN_BIN\" agent report --confidence \"$1\" --status \"${{2:-ok}}\" --payload \"${{3:-null}}\"; }}\n{body}\n"
    )
}

pub(crate) const CONFIDENT: &str = "report 0.95";
pub(crate) const PO_PROCEED: &str = "report 0.9 ok '{\"decision\": \"PROCEED\"}'";

pub(crate) struct Team<'a> {
    pub implementer: &'a str,
    pub validator: &'a str,
    pub po: &'a str,
    pub extra_config: &'a str,
}

pub(crate) fn repo_with(sb: &Sandbox, team: &Team) -> PathBuf {
    let files = [
        ("agents/impl.sh", agent(team.implementer)),
        ("agents/val.sh", agent(team.validator)),
        ("agents/po.sh", agent(team.po)),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let root = sb.repo("team", &refs);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(&format!(
        r#"
[loop]
mode = "mvp"
implementers = ["impl-1", "impl-2"]
validators = ["val-1"]
product_owner = "po"

[agents.impl-1]
role = "implementer"
command = ["sh", "agents/impl.sh"]
timeout = 20
env = ["CFN_BIN"]

[agents.impl-2]
role = "implementer"
command = ["sh", "agents/impl.sh"]
timeout = 20
env = ["CFN_BIN"]

[agents.val-1]
role = "validator"
command = ["sh", "agents/val.sh"]
env = ["CFN_BIN"]

[agents.po]
role = "product-owner"
command = ["sh", "agents/po.sh"]
env = ["CFN_BIN"]
{}"#,
        team.extra_config
    ));
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    root
}

pub(crate) fn run_loop(
    sb: &Sandbox,
    root: &Path,
    redis: Option<&str>,
    args: &[&str],
) -> std::process::Output {
    let mut full = vec!["loop", "run", "--yes", "--json"];
    full.extend(args);
    let mut cmd = sb.cfn(root, &full);
    cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"));
    match redis {
        Some(url) => cmd.env("CFN_REDIS_URL", url),
        None => cmd.env_remove("CFN_REDIS_URL"),
    };
    cmd.timeout(std::time::Duration::from_secs(120)).output().unwrap()
}

pub(crate) fn summary(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("no JSON summary: {}", stderr(out)))
}

fn confident_agents_proceed_in_one_iteration(redis: Option<&str>) {
    let sb = Sandbox::new();
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let out = run_loop(&sb, &root, redis, &["--epic", "Add OAuth login", "--task-id", "ok-1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(
        (s["status"].as_str(), s["decision"].as_str(), s["iterations"].as_u64()),
        (Some("proceed"), Some("PROCEED"), Some(1))
    );
    let status = sb.json(&root, &["loop", "status", "ok-1", "--json"]);
    assert_eq!(status["run"]["status"], "proceed");
    let kinds: Vec<&str> =
        status["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in ["iteration", "spawn", "agent", "gate", "consensus", "decision"] {
        assert!(kinds.contains(&kind), "{kind} recorded: {kinds:?}");
    }
    assert_eq!(
        sb.count("SELECT COUNT(*) FROM approval_history WHERE task_id = 'ok-1'"),
        2,
        "validator + product owner"
    );
    let list = sb.json(&root, &["loop", "list", "--json"]);
    assert_eq!(list[0]["task_id"], "ok-1");
}

#[test]
fn confident_agents_proceed_on_redis() {
    let Some(redis) = RedisServer::start(&[]) else { return };
    confident_agents_proceed_in_one_iteration(Some(&redis.url()));
}

#[test]
fn confident_agents_proceed_on_the_embedded_bus() {
    confident_agents_proceed_in_one_iteration(None);
}

#[test]
fn a_silent_implementer_fails_the_gate_and_its_feedback_reaches_the_next_iteration() {
    let Some(redis) = RedisServer::start(&[]) else { return };
    let sb = Sandbox::new();
    let team = Team { implementer: "exit 0", validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let out = run_loop(
        &sb,
        &root,
        Some(&redis.url()),
        &["--epic", "x", "--task-id", "silent", "--max-iterations", "2"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["status"], "exhausted");
    assert!(s["decision"].is_null(), "no PROCEED");
    let ctx2: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(".cfn/loop/silent/iter-2/impl-1.json")).unwrap(),
    )
    .unwrap();
    let feedback = ctx2["feedback"].to_string();
    assert!(feedback.contains("impl-1 exited without reporting"), "{feedback}");
    assert_eq!(
        sb.count("SELECT COUNT(*) FROM approval_history WHERE task_id = 'silent'"),
        0,
        "never reached validation"
    );
}

#[test]
fn a_fuzzy_product_owner_answer_is_iterate() {
    let Some(redis) = RedisServer::start(&[]) else { return };
    let sb = Sandbox::new();
    let po = "report 0.9 ok '{\"decision\": \"cannot PROCEED, ITERATE\"}'";
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po, extra_config: "" };
    let root = repo_with(&sb, &team);
    let out = run_loop(
        &sb,
        &root,
        Some(&redis.url()),
        &["--epic", "x", "--task-id", "fuzzy", "--max-iterations", "1"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(summary(&out)["status"], "exhausted");
    let decision: String = sb
        .db()
        .query_row(
            "SELECT decision FROM approval_history WHERE task_id = 'fuzzy' AND agent = 'po'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(decision, "ITERATE");
}

#[test]
fn abort_exits_1() {
    let sb = Sandbox::new();
    let po = "report 0.9 ok '{\"decision\": \"ABORT\"}'";
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po, extra_config: "" };
    let root = repo_with(&sb, &team);
    let out = run_loop(&sb, &root, None, &["--epic", "x", "--task-id", "abort"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(summary(&out)["status"], "abort");
}

#[test]
fn a_hanging_agent_is_killed_with_its_children_and_counts_as_failed() {
    let sb = Sandbox::new();
    let pids = sb.path().join("pids");
    let marker = format!("HANG_MARK={}", sb.path().display());
    let hang =
        format!("export {marker}\nsleep 300 & echo $! >> '{0}'\necho $$ >> '{0}'\nsleep 300", pids.display());
    let team = Team { implementer: &hang, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap().replace("timeout = 20", "timeout = 2");
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let started = std::time::Instant::now();
    let out = run_loop(&sb, &root, None, &["--epic", "x", "--task-id", "hang", "--max-iterations", "1"]);
    assert!(started.elapsed().as_secs() < 30, "no hang");
    assert_eq!(out.status.code(), Some(1));
    let status = sb.json(&root, &["loop", "status", "hang", "--json"]);
    let gate = status["events"].as_array().unwrap().iter().find(|e| e["kind"] == "gate").unwrap().clone();
    assert_eq!(gate["data"]["passed"], false);
    assert!(gate["data"]["problems"].to_string().contains("killed after its timeout"), "{gate}");
    let text = std::fs::read_to_string(&pids).unwrap();
    assert!(text.lines().count() >= 4, "both implementers and their children started: {text}");
    assert!(all_gone_soon(&marker), "left running: {:?}", marked_processes(&marker));
}

/// Redis gone for longer than the bus's reconnect window (`CFN_BUS_RECONNECT`, 2 s here): the
/// run exits 124, recorded as interrupted with the reason; once a Redis answers on that address
/// again, `cfn loop resume` finishes it (the implementers' reports, checked when they ended, are
/// not needed from the bus again).
#[test]
fn redis_gone_past_its_window_interrupts_the_run_and_resume_finishes_it() {
    let Some(mut redis) = RedisServer::start(&[]) else { return };
    let sb = Sandbox::new();
    // Only the first implementer to get there stops Redis, and only once: not when resumed.
    let once = sb.path().join("stopped-once");
    let kill = format!(
        "report 0.95\nmkdir '{}' 2>/dev/null && redis-cli -p {} shutdown nosave >/dev/null 2>&1; exit 0",
        once.display(),
        redis.port
    );
    let team = Team { implementer: &kill, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let started = std::time::Instant::now();
    let mut cmd = sb.cfn(&root, &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", "gone"]);
    cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
        .env("CFN_REDIS_URL", redis.url())
        .env("CFN_BUS_RECONNECT", "2");
    let out = cmd.timeout(std::time::Duration::from_secs(120)).output().unwrap();
    assert!(started.elapsed().as_secs() < 60, "no hang");
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("loop gone interrupted: its bus is gone"), "{err}");
    assert!(err.contains("cfn loop resume gone"), "{err}");
    let (status, reason): (String, String) = sb
        .db()
        .query_row("SELECT status, reason FROM loop_runs WHERE task_id = 'gone'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(status, "interrupted");
    assert!(reason.contains("redis"), "{reason}");
    let list = sb.json(&root, &["loop", "list", "--json"]);
    assert_eq!(list[0]["status"], "interrupted");
    let port = redis.port;
    redis.kill();
    let Some(again) = RedisServer::start_on(port, &[]) else { return };
    let mut resume = sb.cfn(&root, &["loop", "resume", "gone", "--yes", "--json"]);
    resume.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn")).env("CFN_REDIS_URL", again.url());
    let out = resume.timeout(std::time::Duration::from_secs(120)).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!((s["status"].as_str(), s["decision"].as_str()), (Some("proceed"), Some("PROCEED")));
    assert!(stderr(&out).contains("resuming task gone"), "{}", stderr(&out));
}

#[test]
fn a_hostile_epic_reaches_agents_verbatim_and_never_as_environment() {
    let sb = Sandbox::new();
    let out_dir = sb.path().join("seen");
    std::fs::create_dir(&out_dir).unwrap();
    let spy = format!(
        "cp \"$CFN_CONTEXT_FILE\" '{0}/context.json'\nenv > '{0}/env.txt'\nreport 0.95",
        out_dir.display()
    );
    let team = Team { implementer: &spy, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let epic = "Fix \"quotes\" and 'single'\nsecond line $(touch /tmp/cfn-pwned) `id`\nINJECTED_KEY=value";
    let out = run_loop(&sb, &root, None, &["--epic", epic, "--task-id", "hostile"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ctx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("context.json")).unwrap()).unwrap();
    assert_eq!(ctx["epic"], epic, "verbatim");
    let env = std::fs::read_to_string(out_dir.join("env.txt")).unwrap();
    assert!(!env.contains("INJECTED_KEY"), "task text became an environment variable");
    assert!(!env.contains("second line"), "task text in the environment");
    assert!(!Path::new("/tmp/cfn-pwned").exists());
    for var in [
        "CFN_TASK_ID=hostile",
        "CFN_AGENT_ID=impl-",
        "CFN_ITERATION=1",
        "CFN_ROLE=implementer",
        "CFN_CONTEXT_FILE=",
    ] {
        assert!(env.contains(var), "{var} missing");
    }
}

#[test]
fn each_agent_gets_only_its_own_providers_key() {
    let sb = Sandbox::new();
    let out_dir = sb.path().join("seen");
    std::fs::create_dir(&out_dir).unwrap();
    let spy = format!("env > \"{0}/$CFN_AGENT_ID.env\"\nreport 0.95", out_dir.display());
    let providers = "\n[providers.alpha]\nenv = [\"ALPHA_KEY\"]\n\n[providers.beta]\nenv = [\"BETA_KEY\"]\n";
    let team = Team { implementer: &spy, validator: CONFIDENT, po: PO_PROCEED, extra_config: providers };
    let root = repo_with(&sb, &team);
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let toml = toml.replacen(
        "[agents.impl-1]\nrole = \"implementer\"",
        "[agents.impl-1]\nrole = \"implementer\"\nprovider = \"alpha\"",
        1,
    );
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let mut cmd = sb.cfn(&root, &["loop", "run", "--yes", "--epic", "x", "--task-id", "keys"]);
    cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
        .env("ALPHA_KEY", "alpha-secret")
        .env("BETA_KEY", "beta-secret")
        .env("OPENAI_API_KEY", "openai-secret")
        .env("CFN_DEFAULT_PROVIDER", "beta")
        .env_remove("CFN_REDIS_URL");
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let one = std::fs::read_to_string(out_dir.join("impl-1.env")).unwrap();
    let two = std::fs::read_to_string(out_dir.join("impl-2.env")).unwrap();
    assert!(
        one.contains("ALPHA_KEY=alpha-secret")
            && !one.contains("beta-secret")
            && !one.contains("openai-secret")
    );
    assert!(one.contains("CFN_PROVIDER=alpha"));
    assert!(
        two.contains("BETA_KEY=beta-secret")
            && !two.contains("alpha-secret")
            && !two.contains("openai-secret")
    );
    assert!(two.contains("CFN_PROVIDER=beta"), "routed by CFN_DEFAULT_PROVIDER");
    assert!(!stderr(&out).contains("secret"), "no key printed");
}

/// Whether the process is gone (or a zombie: killed, waiting for whoever adopted it to reap it)
/// within two seconds.
/// Live processes (zombies aside) whose environment holds `marker` (`NAME=value`): agents run
/// in PID namespaces of their own, so the pids they see are not the machine's; what they carry
/// in their environment is.
pub(crate) fn marked_processes(marker: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map_or(true, |s| s.rsplit(')').next().is_some_and(|r| r.trim_start().starts_with('Z')));
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            !zombie && environ.split(|b| *b == 0).any(|v| v == marker.as_bytes())
        })
        .collect()
}

/// Whether every process carrying `marker` is gone within a few seconds.
/// Whether every process marked with `marker` is gone within 15 s: a namespace torn down on a
/// loaded machine takes a moment; tests that use it keep their agents alive longer (30 s) so a
/// survivor is still caught.
pub(crate) fn all_gone_soon(marker: &str) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !marked_processes(marker).is_empty() {
        if std::time::Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    true
}
