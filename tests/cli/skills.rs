//! Skills and per-agent MCP tokens in a real loop run: scripted agents (real processes) on the
//! embedded bus record the `CFN_MCP_*` variables they receive; the state database must hold
//! the skills' versions and grants, and no token may appear in a log, event or `loop status`.

use crate::harness::*;
use crate::work_loop::{repo_with, run_loop, summary, Team, CONFIDENT, PO_PROCEED};
use std::path::Path;

/// Each agent writes the `CFN_MCP_*` variables it received to `$SKILL_OUT/<agent id>.env`.
pub(crate) const RECORD_MCP: &str = "env | grep '^CFN_MCP_' | sort > \"$SKILL_OUT/$CFN_AGENT_ID.env\"";

/// Skills, servers and who gets what: impl-1 the redis skill (one server), val-1 both skills
/// (two servers), impl-2 and the product owner none.
pub(crate) fn skills_config(redis_url: &str) -> String {
    format!(
        r#"
[mcp_servers.mcp-redis]
url = "{redis_url}"

[mcp_servers.mcp-browser]
url = "http://127.0.0.1:9/{{{{ branch }}}}"

[skills.redis-debugging]
path = "skills/redis.md"
mcp = ["mcp-redis"]

[skills.browser]
path = "skills/browser.md"
mcp = ["mcp-browser"]
"#
    )
}

/// The team of `work_loop`, each agent recording its MCP variables, with skills given to
/// impl-1 and val-1 (the agents' tables are extended in place).
pub(crate) fn repo_with_skills(sb: &Sandbox, redis_url: &str) -> std::path::PathBuf {
    let implementer = format!("{RECORD_MCP}\n{CONFIDENT}");
    let validator = format!("{RECORD_MCP}\n{CONFIDENT}");
    let po = format!("{RECORD_MCP}\n{PO_PROCEED}");
    let team = Team { implementer: &implementer, validator: &validator, po: &po, extra_config: "" };
    let root = repo_with(sb, &team);
    std::fs::create_dir_all(root.join("skills")).unwrap();
    std::fs::write(root.join("skills/redis.md"), "Inspect keys with SCAN, never KEYS.\n").unwrap();
    std::fs::write(root.join("skills/browser.md"), "Take a screenshot of each page.\n").unwrap();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let toml = toml
        .replace("env = [\"CFN_BIN\"]", "env = [\"CFN_BIN\", \"SKILL_OUT\"]")
        .replace(
            "[agents.impl-1]\nrole = \"implementer\"\n",
            "[agents.impl-1]\nrole = \"implementer\"\nskills = [\"redis-debugging\"]\n",
        )
        .replace(
            "[agents.val-1]\nrole = \"validator\"\n",
            "[agents.val-1]\nrole = \"validator\"\nskills = [\"redis-debugging\", \"browser\"]\n",
        );
    std::fs::write(root.join("cfn.toml"), toml + &skills_config(redis_url)).unwrap();
    root
}

/// The `CFN_MCP_*` variables an agent recorded, by name.
pub(crate) fn received(out_dir: &Path, agent: &str) -> std::collections::BTreeMap<String, String> {
    let text = std::fs::read_to_string(out_dir.join(format!("{agent}.env"))).unwrap_or_default();
    text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

pub(crate) fn run_with_skills(sb: &Sandbox, root: &Path, out_dir: &Path, task: &str) -> serde_json::Value {
    std::fs::create_dir_all(out_dir).unwrap();
    let full = ["loop", "run", "--yes", "--json", "--epic", "use the skills", "--task-id", task];
    let mut cmd = sb.cfn(root, &full);
    cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
        .env("SKILL_OUT", out_dir)
        .env_remove("CFN_REDIS_URL");
    let out = cmd.timeout(std::time::Duration::from_secs(120)).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    summary(&out)
}

#[test]
fn a_loop_registers_skills_and_hands_each_agent_only_its_servers_tokens() {
    let sb = Sandbox::new();
    let root = repo_with_skills(&sb, "http://127.0.0.1:1/mcp");
    let out_dir = sb.path().join("received");
    let s = run_with_skills(&sb, &root, &out_dir, "skills-1");
    assert_eq!(s["status"], "proceed");

    let impl1 = received(&out_dir, "impl-1");
    assert_eq!(
        impl1.keys().collect::<Vec<_>>(),
        ["CFN_MCP_MCP_REDIS_TOKEN", "CFN_MCP_MCP_REDIS_URL"],
        "impl-1 gets the redis server only"
    );
    assert_eq!(impl1["CFN_MCP_MCP_REDIS_URL"], "http://127.0.0.1:1/mcp");
    let val = received(&out_dir, "val-1");
    assert_eq!(
        val.keys().collect::<Vec<_>>(),
        [
            "CFN_MCP_MCP_BROWSER_TOKEN",
            "CFN_MCP_MCP_BROWSER_URL",
            "CFN_MCP_MCP_REDIS_TOKEN",
            "CFN_MCP_MCP_REDIS_URL"
        ]
    );
    assert_eq!(
        val["CFN_MCP_MCP_BROWSER_URL"], "http://127.0.0.1:9/main",
        "the URL is rendered for the branch"
    );
    assert!(received(&out_dir, "impl-2").is_empty(), "an agent without skills gets no token");
    assert!(received(&out_dir, "po").is_empty());
    assert!(out_dir.join("po.env").exists(), "the product owner ran and recorded nothing");

    // Each token is for its server, the run, the agent, with its skills.
    // impl-1's timeout is 20 s, val-1's the default 300 s; a token lives 60 s longer.
    for (agent, var, audience, ttl) in [
        ("impl-1", "CFN_MCP_MCP_REDIS_TOKEN", "mcp-redis", 80),
        ("val-1", "CFN_MCP_MCP_BROWSER_TOKEN", "mcp-browser", 360),
    ] {
        let token = &received(&out_dir, agent)[var];
        let claims = sb.json(
            sb.path(),
            &["token", "verify", token, "--audience", audience, "--task", "skills-1", "--json"],
        );
        assert_eq!((claims["sub"].as_str(), claims["task_id"].as_str()), (Some(agent), Some("skills-1")));
        assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), ttl);
        assert!(!claims["skills"].as_array().unwrap().is_empty());
        let wrong =
            sb.cfn(sb.path(), &["token", "verify", token, "--audience", "mcp-other"]).output().unwrap();
        assert_eq!(wrong.status.code(), Some(1));
    }
    assert_eq!(received(&out_dir, "impl-1")["CFN_MCP_MCP_REDIS_TOKEN"].split('.').count(), 3);

    // The skills table holds one version of each; the approval history one grant per skill.
    assert_eq!(sb.count("SELECT COUNT(*) FROM skills WHERE version = 1"), 2);
    assert_eq!(
        sb.count("SELECT COUNT(*) FROM approval_history WHERE task_id = 'skills-1' AND decision = 'granted'"),
        3,
        "impl-1: redis; val-1: redis and browser"
    );
    assert_eq!(
        sb.count(
            "SELECT COUNT(*) FROM approval_history WHERE task_id = 'skills-1' AND agent = 'val-1' \
             AND skill = 'browser' AND skill_version = 1 AND iteration = 1"
        ),
        1
    );

    // No token anywhere it could leak: logs, events, status, the record of issued tokens.
    let tokens: Vec<String> = ["impl-1", "val-1"]
        .iter()
        .flat_map(|a| received(&out_dir, a).into_iter())
        .filter(|(k, _)| k.ends_with("_TOKEN"))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(tokens.len(), 3);
    let status = sb.cfn(&root, &["loop", "status", "skills-1", "--json"]).output().unwrap();
    let mut haystacks = vec![text(&status.stdout), stderr(&status)];
    let db = sb.db();
    let mut stmt = db.prepare("SELECT data FROM loop_events").unwrap();
    haystacks.extend(stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap));
    let mut stmt = db.prepare("SELECT metadata FROM approval_history").unwrap();
    haystacks.extend(stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap));
    for log in walk(&root.join(".cfn/loop")) {
        haystacks.push(std::fs::read_to_string(log).unwrap_or_default());
    }
    for token in &tokens {
        let signature = token.rsplit('.').next().unwrap();
        assert!(haystacks.iter().all(|h| !h.contains(signature)), "a token leaked");
    }

    // A changed skill file is a new version at the next run.
    std::fs::write(root.join("skills/redis.md"), "Inspect keys with SCAN; mind big values.\n").unwrap();
    run_with_skills(&sb, &root, &out_dir, "skills-2");
    assert_eq!(sb.count("SELECT COUNT(*) FROM skills WHERE name = 'redis-debugging'"), 2);
    assert_eq!(sb.count("SELECT COUNT(*) FROM skills WHERE name = 'browser'"), 1);
    assert_eq!(
        sb.count("SELECT COUNT(*) FROM approval_history WHERE task_id = 'skills-2' AND skill_version = 2"),
        2
    );
}

#[test]
fn an_agent_naming_an_unknown_skill_is_a_config_error() {
    let sb = Sandbox::new();
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap().replace(
        "[agents.impl-1]\nrole = \"implementer\"\n",
        "[agents.impl-1]\nrole = \"implementer\"\nskills = [\"browser\"]\n",
    );
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let out = run_loop(&sb, &root, None, &["--epic", "x", "--task-id", "skills-bad"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: invalid ")
            && err.contains("agents.impl-1.skills names \"browser\", which is not a skill"),
        "{err}"
    );
    assert!(err.contains("hint: add [skills.browser] with its path"), "{err}");
}

#[test]
fn doctor_says_which_skill_a_loop_run_would_refuse() {
    let sb = Sandbox::new();
    let root = repo_with_skills(&sb, "redis://127.0.0.1:9/");
    let skill_checks = |root: &Path| -> Vec<serde_json::Value> {
        let out = sb.cfn(root, &["doctor", "--json"]).output().unwrap();
        let all: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
        all.as_array().unwrap().iter().filter(|c| c["name"] == "skills").cloned().collect()
    };
    assert!(skill_checks(&root).is_empty(), "both skills' files are there");

    std::fs::remove_file(root.join("skills/redis.md")).unwrap();
    std::fs::remove_file(root.join("skills/browser.md")).unwrap();
    std::fs::create_dir(root.join("skills/browser.md")).unwrap();
    let checks = skill_checks(&root);
    assert_eq!(checks.len(), 2, "{checks:?}");
    assert_eq!(checks[0]["status"], "fail");
    assert!(
        checks[0]["message"].as_str().unwrap().starts_with("skill redis-debugging: cannot read"),
        "{checks:?}"
    );
    assert!(checks[0]["hint"].as_str().unwrap().contains("skills.redis-debugging.path"), "{checks:?}");
    assert!(
        checks[1]["message"].as_str().unwrap().contains("is not a file of at most 1048576 bytes"),
        "{checks:?}"
    );

    // A link out of the checkout is named as such (cfn.toml's own check), its target never read.
    std::fs::remove_dir(root.join("skills/browser.md")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", root.join("skills/browser.md")).unwrap();
    let out = sb.cfn(&root, &["doctor"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out.stdout);
    assert!(shown.contains("skills.browser.path \"skills/browser.md\" is outside the repository"), "{shown}");
    assert!(!shown.contains("root:"), "{shown}");

    // A path with a terminal escape sequence is shown, never sent to the terminal.
    std::fs::remove_file(root.join("skills/browser.md")).unwrap();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let toml = toml.replace("path = \"skills/browser.md\"", "path = \"skills/\\u001b]0;PWNED\\u0007x.md\"");
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let out = sb.cfn(&root, &["doctor"]).output().unwrap();
    let shown = text(&out.stdout);
    assert!(shown.contains("skills/\\u{1b}]0;PWNED\\u{7}x.md"), "{shown}");
    assert!(!shown.contains('\u{1b}') && !shown.contains('\u{7}'), "{shown:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
