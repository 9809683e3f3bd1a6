//! Budgets of a run (`[loop] max_wall_seconds`, `max_tokens`, `max_cost_usd`): exceeding one
//! ends the run as `budget` (exit 3), recorded and shown. Tokens and cost come from a fake
//! `claude` (a script in the repository, `program = "tools/claude"`) printing Claude Code's
//! documented stream-json result with its usage; the real CLI cannot run here.

use crate::harness::*;
use crate::work_loop::{agent, repo_with, run_loop, summary, Team, CONFIDENT, PO_PROCEED};
use std::path::Path;

/// The last line of a `claude -p --output-format stream-json` run: 1540 tokens, $0.0421.
const CLAUDE: &str = r#"#!/bin/sh
cat > /dev/null
cat <<'OUT'
{"type":"result","subtype":"success","is_error":false,"result":"Done.\n```cfn-report\n{\"confidence\": 0.9}\n```","total_cost_usd":0.0421,"usage":{"input_tokens":1200,"output_tokens":340,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}
OUT
"#;

fn with_loop_keys(root: &Path, extra: &str) {
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(
        root.join("cfn.toml"),
        toml.replacen("product_owner = \"po\"\n", &format!("product_owner = \"po\"\n{extra}"), 1),
    )
    .unwrap();
}

fn ended_on_budget(sb: &Sandbox, root: &Path, out: &std::process::Output, task: &str, reason: &str) {
    assert_eq!(out.status.code(), Some(3), "{}", stderr(out));
    let s = summary(out);
    assert_eq!(s["status"], "budget", "{s}");
    assert!(s["reason"].as_str().unwrap().contains(reason), "{s}");
    assert!(stderr(out).contains(&format!("loop {task} ended without PROCEED: ")), "{}", stderr(out));
    let status = sb.json(root, &["loop", "status", task, "--json"]);
    assert_eq!(status["run"]["status"], "budget");
    assert!(status["run"]["reason"].as_str().unwrap().contains(reason));
    let events = status["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["kind"] == "budget"), "recorded");
    assert!(!events.iter().any(|e| e["kind"] == "decision"), "no product owner ran");
    let text = text(&sb.cfn(root, &["loop", "status", task]).output().unwrap().stdout);
    assert!(
        text.contains(": budget") && text.contains(&format!("budget: {}", s["reason"].as_str().unwrap())),
        "{text}"
    );
}

#[test]
fn the_wall_time_budget_cuts_a_slow_implementer_and_ends_the_run() {
    let sb = Sandbox::new();
    let team =
        Team { implementer: "sleep 20\nreport 0.95", validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    with_loop_keys(&root, "max_wall_seconds = 2\n");
    let started = std::time::Instant::now();
    let out = run_loop(&sb, &root, None, &["--epic", "x", "--task-id", "wall"]);
    assert!(started.elapsed().as_secs() < 15, "the agents' timeouts were cut to the budget");
    ended_on_budget(&sb, &root, &out, "wall", "over loop.max_wall_seconds 2");
}

fn cli_team(sb: &Sandbox, extra: &str) -> std::path::PathBuf {
    let root = sb.repo(
        "budget",
        &[
            ("agents/val.sh", &agent(CONFIDENT)),
            ("agents/po.sh", &agent(PO_PROCEED)),
            ("tools/claude", CLAUDE),
        ],
    );
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(root.join("tools/claude"), std::fs::Permissions::from_mode(0o755)).unwrap();
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap()
        + &format!(
            r#"
[loop]
mode = "mvp"
implementers = ["claude-impl"]
validators = ["val-1"]
product_owner = "po"
{extra}
[agents.claude-impl]
role = "implementer"
kind = "claude-code"
program = "tools/claude"
provider = "anthropic"
model = "claude-sonnet"

[agents.val-1]
role = "validator"
command = ["sh", "agents/val.sh"]
env = ["CFN_BIN"]

[agents.po]
role = "product-owner"
command = ["sh", "agents/po.sh"]
env = ["CFN_BIN"]

[providers.anthropic]
env = ["ANTHROPIC_API_KEY"]
"#
        );
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    root
}

fn run_cli(sb: &Sandbox, root: &Path, task: &str) -> std::process::Output {
    let mut cmd = sb.cfn(root, &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", task]);
    cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn")).env("ANTHROPIC_API_KEY", "anthropic-secret");
    cmd.env_remove("CFN_REDIS_URL").timeout(std::time::Duration::from_secs(120)).output().unwrap()
}

#[test]
fn the_token_budget_ends_the_run_after_the_phase_that_passed_it() {
    let sb = Sandbox::new();
    let root = cli_team(&sb, "max_tokens = 1000\n");
    let out = run_cli(&sb, &root, "tokens");
    ended_on_budget(&sb, &root, &out, "tokens", "the agents used 1540 tokens, over loop.max_tokens 1000");
    assert_eq!(summary(&out)["usage"]["total"]["input_tokens"], 1200);
}

#[test]
fn the_cost_budget_ends_the_run_and_a_run_within_its_budgets_proceeds() {
    let sb = Sandbox::new();
    let root = cli_team(&sb, "max_cost_usd = 0.01\n");
    let out = run_cli(&sb, &root, "cost");
    ended_on_budget(&sb, &root, &out, "cost", "the agents cost $0.0421, over loop.max_cost_usd 0.01");
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let roomy = "max_cost_usd = 1\nmax_tokens = 100000\nmax_wall_seconds = 60\n";
    std::fs::write(root.join("cfn.toml"), toml.replace("max_cost_usd = 0.01\n", roomy)).unwrap();
    let out = run_cli(&sb, &root, "roomy");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(summary(&out)["status"], "proceed");
}
