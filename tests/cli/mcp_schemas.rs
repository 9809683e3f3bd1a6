//! Every tool of `cfn mcp` and `cfn mcp --repo` declares an output schema, and what each one
//! really returns conforms to it: the real rmcp client lists the tools and calls every one of
//! them against a live stack, and a JSON Schema validator (the `jsonschema` crate, draft
//! 2020-12) checks each structured content against the schema its tool declared — a result
//! against the result branch, an error against the error branch. The schemas are closed, so
//! a field the data gains without its schema fails here as well as a field it loses.

use crate::harness::*;
use crate::mcp::{call, connect, Client, BRANCH_TOOLS, REPO_TOOLS, WEB_ONLY};
use crate::small_stack::SmallStack;
use jsonschema::Validator;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A tool's declared output schema, and the same with only its result branch or only its
/// error branch (the `$defs` kept, so references still resolve).
struct Declared {
    whole: Validator,
    result: Validator,
    error: Validator,
}

/// The output schemas the server declares, by tool; each must be valid JSON Schema whose root
/// is an object (as MCP before 2026-07-28 requires), `anyOf` a result and an error.
struct Schemas {
    by_tool: BTreeMap<String, Declared>,
    /// Tools whose result was checked.
    results: BTreeSet<String>,
}

impl Schemas {
    async fn of(client: &Client) -> Schemas {
        let mut by_tool = BTreeMap::new();
        for tool in client.list_all_tools().await.unwrap() {
            let name = tool.name.to_string();
            let schema = Value::Object(
                tool.output_schema.as_deref().cloned().unwrap_or_else(|| panic!("{name}: no outputSchema")),
            );
            jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{name}: not JSON Schema: {e}"));
            assert_eq!(schema["type"], "object", "{name}: {schema}");
            let branches = schema["anyOf"].as_array().unwrap_or_else(|| panic!("{name}: {schema}"));
            assert_eq!(branches.len(), 2, "{name}: a result and an error: {schema}");
            // One branch under `allOf`, so that a mismatch is reported where it is.
            let only = |branch: &Value| {
                let mut one = schema.clone();
                one.as_object_mut().unwrap().remove("anyOf");
                one["allOf"] = json!([branch]);
                jsonschema::validator_for(&one).unwrap()
            };
            let declared = Declared {
                whole: jsonschema::validator_for(&schema).unwrap(),
                result: only(&branches[0]),
                error: only(&branches[1]),
            };
            by_tool.insert(name, declared);
        }
        Schemas { by_tool, results: BTreeSet::new() }
    }

    fn declared(&self, tool: &str) -> &Declared {
        self.by_tool.get(tool).unwrap_or_else(|| panic!("{tool} is not listed"))
    }

    /// The structured content of a successful call, checked against its tool's schema.
    async fn ok(&mut self, client: &Client, tool: &str, args: Value) -> Value {
        let r = call(client, tool, args).await;
        assert_eq!(r.is_error, Some(false), "{tool} failed: {:?}", r.content);
        let content = r.structured_content.unwrap_or_else(|| panic!("{tool}: no structured content"));
        let d = self.declared(tool);
        conforms(tool, &d.result, &content);
        conforms(tool, &d.whole, &content);
        assert!(!d.error.is_valid(&content), "{tool}: a result must not pass for an error: {content}");
        // Closed: a property the schema does not name is refused.
        let mut more = content.clone();
        more["undeclared"] = json!(1);
        assert!(!d.result.is_valid(&more), "{tool}: the result schema is open: {more}");
        self.results.insert(tool.to_string());
        content
    }

    /// The structured content of a tool error, checked against its tool's error branch.
    async fn err(&self, client: &Client, tool: &str, args: Value) -> Value {
        let r = call(client, tool, args).await;
        assert_eq!(r.is_error, Some(true), "{tool} should fail: {:?}", r.structured_content);
        let content = r.structured_content.unwrap_or_else(|| panic!("{tool}: no structured error"));
        let d = self.declared(tool);
        conforms(tool, &d.error, &content);
        conforms(tool, &d.whole, &content);
        assert!(!d.result.is_valid(&content), "{tool}: an error must not pass for a result: {content}");
        content
    }

    /// Every listed tool had a result checked.
    fn all_checked(&self) {
        let listed: BTreeSet<String> = self.by_tool.keys().cloned().collect();
        assert_eq!(self.results, listed, "tools called with a checked result");
    }
}

fn conforms(tool: &str, validator: &Validator, content: &Value) {
    let errors: Vec<String> =
        validator.iter_errors(content).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(
        errors.is_empty(),
        "{tool}: the result does not match its output schema: {errors:#?}\n{content:#}"
    );
}

#[tokio::test]
async fn every_tool_of_a_bound_server_returns_what_its_schema_declares() {
    let Some(st) = SmallStack::new("mcpschema", "") else { return };
    // A health check that fails once the stack is down, and a migration, so that health can
    // fail with its data and migrate_status has a row.
    let mut toml = std::fs::read_to_string(st.root.join("cfn.toml")).unwrap();
    toml.push_str("\n[health.cache]\ntype = \"tcp\"\nhost = \"127.0.0.1\"\nport = \"{{ ports.redis }}\"\n");
    std::fs::write(st.root.join("cfn.toml"), &toml).unwrap();
    std::fs::write(st.wt.join("cfn.toml"), &toml).unwrap();
    std::fs::create_dir_all(st.wt.join("migrations")).unwrap();
    std::fs::write(st.wt.join("migrations/0001_start.up.sql"), "CREATE TABLE t (x INT);").unwrap();
    st.cfn(&st.wt, &["trust", "--yes"]).assert().success();
    let log = st.sb.path().join("mcp.stderr");
    let client = connect(&st.sb, &st.wt, &[], &[], &log).await;
    let mut s = Schemas::of(&client).await;
    let listed: BTreeSet<&str> = s.by_tool.keys().map(String::as_str).collect();
    assert_eq!(listed, BRANCH_TOOLS.iter().copied().collect(), "a bound server's tools");

    assert_eq!(s.ok(&client, "migrate_status", json!({})).await["result"][0]["state"], "pending");
    let up = s.ok(&client, "up", json!({"timeout": 90})).await;
    assert!(!up["endpoints"].as_array().unwrap().is_empty(), "{up}");
    assert_eq!(s.ok(&client, "migrate_status", json!({})).await["result"][0]["state"], "applied");
    let status = s.ok(&client, "status", json!({})).await;
    assert_eq!(status["services"][0]["state"], "running", "{status}");
    assert!(!status["hostnames"].as_array().unwrap().is_empty(), "{status}");
    s.ok(&client, "ports", json!({})).await;
    s.ok(&client, "env", json!({})).await;
    let logs = s.ok(&client, "logs", json!({"lines": 5})).await;
    assert!(!logs["services"][0]["lines"].as_array().unwrap().is_empty(), "{logs}");
    assert_eq!(s.ok(&client, "health", json!({})).await["ok"], true);
    s.ok(&client, "doctor", json!({})).await;

    let t = json!("task-s");
    s.ok(&client, "context_store", json!({"task_id": t, "key": "k", "value": "v", "ttl": 60})).await;
    s.ok(&client, "context_get", json!({"task_id": t, "key": "k"})).await;
    s.ok(&client, "signal_send", json!({"task_id": t, "channel": "go", "payload": "p"})).await;
    s.ok(&client, "signal_wait", json!({"task_id": t, "channel": "go", "timeout": 5})).await;
    let report = json!({"task_id": t, "agent_id": "a1", "confidence": 0.5, "payload": {"n": [1, 2]}});
    s.ok(&client, "agent_report", report).await;
    let collected =
        s.ok(&client, "results_collect", json!({"task_id": t, "expected": 1, "timeout": 5})).await;
    assert_eq!(collected["reports"][0]["payload"], json!({"n": [1, 2]}), "{collected}");
    let token = s.ok(&client, "lock_acquire", json!({"resource": "db", "ttl": 30})).await["token"].clone();
    s.ok(&client, "lock_release", json!({"resource": "db", "token": token})).await;

    // Errors conform too: plain ones, one with exit code 124, and (below) a failed health
    // check carrying every check's result in `data`.
    let e = s.err(&client, "context_get", json!({"task_id": t, "key": "missing"})).await;
    assert!(e["hint"].is_string(), "{e}");
    let e = s.err(&client, "signal_wait", json!({"task_id": t, "channel": "none", "timeout": 0.2})).await;
    assert_eq!(e["exit_code"], 124, "{e}");
    s.err(&client, "ports", json!({"branch": "elsewhere"})).await;

    assert_eq!(s.ok(&client, "down", json!({})).await["volumes_kept"], true);
    s.all_checked();
    let e = s.err(&client, "health", json!({})).await;
    let checks = e["data"]["checks"].as_array().unwrap_or_else(|| panic!("{e}"));
    let cache = checks.iter().find(|c| c["name"] == "cache").cloned();
    assert_eq!(cache.map(|c| c["ok"].clone()), Some(json!(false)), "{e}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn every_tool_of_a_repo_server_returns_what_its_schema_declares() {
    let sb = Sandbox::new();
    let root = sb.repo("mcpschemarepo", &[("docker-compose.yml", WEB_ONLY), ("shared.txt", "one\n")]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "cfn"]);
    let client = connect(&sb, &root, &["--repo"], &[], &sb.path().join("mcp.stderr")).await;
    let mut s = Schemas::of(&client).await;
    let listed: BTreeSet<&str> = s.by_tool.keys().map(String::as_str).collect();
    assert_eq!(listed, BRANCH_TOOLS.iter().chain(REPO_TOOLS).copied().collect(), "a repo server's tools");

    let a = s.ok(&client, "worktree_add", json!({"branch": "agent-a"})).await;
    s.ok(&client, "worktree_add", json!({"branch": "agent-b"})).await;
    let listed = s.ok(&client, "worktree_list", json!({})).await;
    assert_eq!(listed["worktrees"].as_array().unwrap().len(), 3, "{listed}");
    let wt = std::path::Path::new(a["path"].as_str().unwrap());
    std::fs::write(wt.join("shared.txt"), "from a\n").unwrap();
    std::fs::write(root.join("shared.txt"), "from main\n").unwrap();
    let report = s.ok(&client, "conflicts", json!({})).await;
    assert_eq!(report["conflicts"][0]["path"], "shared.txt", "{report}");
    s.err(&client, "worktree_remove", json!({"branch": "agent-a"})).await;
    let removed = s.ok(&client, "worktree_remove", json!({"branch": "agent-a", "force": true})).await;
    assert_eq!(removed["branch"], "agent-a");
    s.ok(&client, "ports", json!({"branch": "agent-b"})).await;
    s.err(&client, "worktree_add", json!({"branch": "-bad"})).await;
    let repo_only: BTreeSet<String> = REPO_TOOLS.iter().map(|t| t.to_string()).collect();
    assert!(s.results.is_superset(&repo_only), "every repo tool had a checked result: {:?}", s.results);
    client.cancel().await.unwrap();
}
