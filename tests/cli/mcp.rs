//! `cfn mcp` driven by a real MCP client (the rmcp client spawning the built binary over
//! stdio), and by hand-written JSON-RPC lines as a client in another language would send them.

use crate::harness::*;
use crate::small_stack::SmallStack;
use crate::stack_harness::*;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientConfig, ProtocolVersion, ReadResourceRequestParams,
};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt as _};
use serde_json::{json, Value};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::Stdio;

pub(crate) type Client = RunningService<RoleClient, ClientConfig>;

pub(crate) const WEB_ONLY: &str = "services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"8080:80\"]\n";

/// `cfn mcp <args>` in `dir` as the client's child; its stderr goes to `stderr`.
pub(crate) async fn connect(
    sb: &Sandbox,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    stderr: &Path,
) -> Client {
    let mut cmd = tokio::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
    cmd.current_dir(dir).arg("mcp").args(args).envs(hermetic_env(&sb.home, sb.path()));
    cmd.env_remove("CFN_REDIS_URL").env_remove("CFN_TASK_ID").env_remove("CFN_AGENT_ID");
    cmd.env("CFN_COMPOSE", V2).envs(env.iter().copied());
    let (transport, _) = TokioChildProcess::builder(cmd)
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .expect("spawn cfn mcp");
    let mut info = ClientConfig::default();
    info.protocol_version = ProtocolVersion::V_2025_06_18;
    info.serve(transport).await.expect("initialize")
}

pub(crate) async fn call(client: &Client, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(map) = args else { panic!("arguments must be an object") };
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(map))
        .await
        .unwrap_or_else(|e| panic!("{tool}: protocol error {e}"))
}

/// The structured content of a successful call.
pub(crate) async fn ok(client: &Client, tool: &str, args: Value) -> Value {
    let r = call(client, tool, args).await;
    assert_eq!(r.is_error, Some(false), "{tool} failed: {:?}", r.content);
    r.structured_content.unwrap_or_else(|| panic!("{tool}: no structured content"))
}

/// The error of a failed call: (message text, structured `{error, hint, exit_code}`).
pub(crate) async fn err(client: &Client, tool: &str, args: Value) -> (String, Value) {
    let r = call(client, tool, args).await;
    assert_eq!(r.is_error, Some(true), "{tool} should fail: {:?}", r.structured_content);
    let text = r.content.first().and_then(|c| c.as_text()).map(|t| t.text.clone()).unwrap_or_default();
    (text, r.structured_content.expect("structured error"))
}

pub(crate) const BRANCH_TOOLS: &[&str] = &[
    "env",
    "ports",
    "status",
    "up",
    "down",
    "logs",
    "health",
    "migrate_status",
    "doctor",
    "context_store",
    "context_get",
    "signal_send",
    "signal_wait",
    "agent_report",
    "results_collect",
    "lock_acquire",
    "lock_release",
];
pub(crate) const REPO_TOOLS: &[&str] = &["worktree_add", "worktree_list", "worktree_remove", "conflicts"];

#[tokio::test]
async fn bound_server_tools_bus_and_errors() {
    let sb = Sandbox::new();
    let root = sb.repo("mcpbound", &[("docker-compose.yml", WEB_ONLY)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    // A health command the user has not trusted yet, printing on stdout when it runs.
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(
        "\n[health.probe]\ntype = \"command\"\ncommand = [\"sh\", \"-c\", \"echo PROBE-STDOUT\"]\n",
    );
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let log = sb.path().join("mcp.stderr");
    let client = connect(&sb, &root, &[], &[("CFN_MAX_PAYLOAD", "1000")], &log).await;

    let info = client.peer_info().expect("server info");
    assert_eq!(info.protocol_version, ProtocolVersion::V_2025_06_18);
    assert_eq!(info.server_info.as_ref().map(|s| s.name.as_str()), Some("cfn"));
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for t in BRANCH_TOOLS {
        assert!(names.contains(t), "missing tool {t}: {names:?}");
    }
    for t in REPO_TOOLS {
        assert!(!names.contains(t), "{t} is for --repo only");
    }
    for t in &tools {
        assert_eq!(t.input_schema.get("type"), Some(&json!("object")), "{} has a schema", t.name);
        assert!(t.description.as_deref().is_some_and(|d| !d.is_empty()));
    }
    let up = tools.iter().find(|t| t.name == "up").unwrap();
    assert!(up.input_schema["properties"].get("timeout").is_some(), "{:?}", up.input_schema);

    // The environment tools return what `--json` prints.
    let ports = ok(&client, "ports", json!({})).await;
    assert_eq!(ports, sb.json(&root, &["ports", "--json"]));
    let env = ok(&client, "env", json!({})).await;
    assert_eq!(env["variables"], sb.json(&root, &["env", "--format", "json"]));
    assert_eq!(env["branch"], "main");
    let migrations = ok(&client, "migrate_status", json!({})).await;
    assert_eq!(migrations["result"], json!([]));
    let doctor = ok(&client, "doctor", json!({})).await;
    assert!(doctor["checks"].as_array().is_some_and(|c| !c.is_empty()), "{doctor}");

    // Trust: the server never approves; the refusal carries the CLI's hint.
    let (text, e) = err(&client, "health", json!({})).await;
    assert!(text.starts_with("error: not trusted"), "{text}");
    assert!(e["hint"].as_str().unwrap().contains("cfn trust"), "{e}");
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    let health = ok(&client, "health", json!({})).await;
    assert_eq!(health["checks"][0]["name"], "probe");
    assert_eq!(health["checks"][0]["ok"], true);

    // Resources: the branch's env file.
    let resources = client.list_all_resources().await.unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, ["cfn://env/main", "cfn://compose/main"]);
    let read = client.read_resource(ReadResourceRequestParams::new("cfn://env/main")).await.unwrap();
    let body = serde_json::to_value(&read.contents[0]).unwrap();
    assert!(body["text"].as_str().unwrap().contains("CFN_WEB_PORT=8080"), "{body}");
    assert!(client.read_resource(ReadResourceRequestParams::new("cfn://env/other")).await.is_err());
    let read = client.read_resource(ReadResourceRequestParams::new("cfn://compose/main")).await.unwrap();
    let body = serde_json::to_value(&read.contents[0]).unwrap();
    let yaml = body["text"].as_str().unwrap();
    assert!(yaml.contains("cfn-test/app:1") && yaml.contains("8080"), "{yaml}");
    assert!(client.read_resource(ReadResourceRequestParams::new("file:///etc/passwd")).await.is_err());

    // The coordination primitives on the embedded bus.
    let t = json!("task-1");
    ok(&client, "context_store", json!({"task_id": t, "key": "k", "value": "$(v) 'w'"})).await;
    let got = ok(&client, "context_get", json!({"task_id": t, "key": "k"})).await;
    assert_eq!(got["value"], "$(v) 'w'");
    let (_, e) = err(&client, "context_get", json!({"task_id": t, "key": "missing"})).await;
    assert!(e["hint"].as_str().unwrap().contains("context_store"));
    ok(&client, "signal_send", json!({"task_id": t, "channel": "go", "payload": "p1"})).await;
    let sig = ok(&client, "signal_wait", json!({"task_id": t, "channel": "go", "timeout": 5})).await;
    assert_eq!(sig["payload"], "p1");
    let (_, e) = err(&client, "signal_wait", json!({"task_id": t, "channel": "none", "timeout": 0.5})).await;
    assert_eq!(e["exit_code"], 124, "{e}");
    let rep = json!({"task_id": t, "agent_id": "a1", "confidence": 0.9, "payload": {"x": 1}});
    assert_eq!(ok(&client, "agent_report", rep.clone()).await["counted"], true);
    assert_eq!(ok(&client, "agent_report", rep).await["counted"], false);
    let collected = ok(&client, "results_collect", json!({"task_id": t, "expected": 1, "timeout": 5})).await;
    assert_eq!(collected["complete"], true, "{collected}");
    assert_eq!(collected["reports"][0]["agent"], "a1");
    let lock = ok(&client, "lock_acquire", json!({"resource": "db", "ttl": 30})).await;
    let token = lock["token"].as_str().unwrap().to_string();
    let (_, e) = err(&client, "lock_acquire", json!({"resource": "db", "wait": 0.2})).await;
    assert_eq!(e["exit_code"], 124);
    err(&client, "lock_release", json!({"resource": "db", "token": "not-it"})).await;
    ok(&client, "lock_release", json!({"resource": "db", "token": token})).await;

    // Bad arguments: clear errors, and the server goes on serving.
    let (text, _) = err(&client, "ports", json!({"branch": "elsewhere"})).await;
    assert!(text.contains("serves branch main only"), "{text}");
    let (text, e) = err(&client, "signal_wait", json!({"task_id": t, "channel": "c", "timeout": -1})).await;
    assert!(text.contains("not a number of seconds: -1"), "{text}");
    assert_eq!(e["exit_code"], 2);
    let (text, _) = err(&client, "signal_wait", json!({"task_id": t, "channel": "c", "timeout": 3600})).await;
    assert!(text.contains("over the limit of 300s"), "{text}");
    let big = "x".repeat(5000);
    let (text, _) = err(&client, "context_store", json!({"task_id": t, "key": "big", "value": big})).await;
    assert!(text.starts_with("error: context value is 5000 bytes, over the limit of 1000 bytes"), "{text}");
    let huge = json!({"task_id": t, "agent_id": "a2", "confidence": 1, "payload": {"x": big}});
    let (text, _) = err(&client, "agent_report", huge).await;
    assert!(text.contains("over the limit of 1000 bytes (CFN_MAX_PAYLOAD)"), "{text}");
    let (text, _) = err(&client, "logs", json!({"services": ["nosuch"]})).await;
    assert!(text.contains("nosuch"), "{text}");
    let (text, _) = err(&client, "logs", json!({"lines": 100000})).await;
    assert!(text.contains("over the limit"), "{text}");
    let (text, _) = err(&client, "up", json!({"services": ["nosuch"]})).await;
    assert!(text.contains("nosuch"), "{text}");
    let (text, _) = err(&client, "context_get", json!({"key": "k"})).await;
    assert!(text.contains("task_id"), "{text}");
    let bad = client.call_tool(
        CallToolRequestParams::new("signal_wait")
            .with_arguments(json!({"task_id": 1, "channel": []}).as_object().unwrap().clone()),
    );
    match bad.await {
        Err(_) => {}
        Ok(r) => assert_eq!(r.is_error, Some(true), "ill-typed arguments are refused: {r:?}"),
    }
    assert_eq!(ok(&client, "ports", json!({})).await["branch"], "main", "still serving");

    client.cancel().await.unwrap();
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn live_stack_up_status_logs_health_down() {
    let Some(st) = SmallStack::new("mcplive", "") else { return };
    // A health command and a post_up hook that write on stdout: it must land on stderr, not in
    // the protocol stream.
    let mut toml = std::fs::read_to_string(st.root.join("cfn.toml")).unwrap();
    toml.push_str("\n[health.probe]\ntype = \"command\"\ncommand = [\"sh\", \"-c\", \"echo PROBE\"]\n");
    toml.push_str("\n[hooks]\npost_up = [[\"sh\", \"-c\", \"echo HOOK-STDOUT\"]]\n");
    std::fs::write(st.root.join("cfn.toml"), &toml).unwrap();
    std::fs::write(st.wt.join("cfn.toml"), &toml).unwrap();
    let log = st.sb.path().join("mcp.stderr");
    let client = connect(&st.sb, &st.wt, &[], &[], &log).await;

    // An untrusted health command: refused through MCP (the server never approves), with the
    // CLI's hint, before anything starts.
    let (text, e) = err(&client, "up", json!({"timeout": 60})).await;
    assert!(text.starts_with("error: not trusted"), "{text}");
    assert!(e["hint"].as_str().unwrap().contains("cfn trust"), "{e}");
    assert!(st.running().is_empty(), "nothing started");
    st.cfn(&st.wt, &["trust", "--yes"]).assert().success();

    let up = ok(&client, "up", json!({"timeout": 90})).await;
    assert_eq!(up["project"], st.project.as_str());
    assert!(up["endpoints"].as_array().is_some_and(|e| !e.is_empty()), "{up}");
    assert_eq!(redis(st.redis_port, &["PING"]).trim(), "+PONG");
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(stderr.contains("HOOK-STDOUT"), "the hook's stdout went to stderr: {stderr}");

    let status = ok(&client, "status", json!({})).await;
    assert_eq!(status["branch"], "feat");
    assert_eq!(status["services"][0]["service"], "redis");
    assert_eq!(status["services"][0]["state"], "running", "{status}");
    assert_eq!(status["hostnames"][0]["port"], st.redis_port, "{status}");

    let logs = ok(&client, "logs", json!({"lines": 5})).await;
    assert_eq!(logs["services"][0]["service"], "redis");
    let lines = logs["services"][0]["lines"].as_array().unwrap();
    assert!(!lines.is_empty() && lines.len() <= 5, "{logs}");

    let health = ok(&client, "health", json!({})).await;
    assert_eq!(health["ok"], true);

    let down = ok(&client, "down", json!({})).await;
    assert_eq!(down["volumes_kept"], true);
    assert!(st.running().is_empty(), "stopped");
    assert!(!volumes_of(&st.project).is_empty(), "volumes kept");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn repo_server_worktrees_and_conflicts() {
    let sb = Sandbox::new();
    let root =
        sb.repo("mcprepo", &[("docker-compose.yml", WEB_ONLY), ("shared.txt", "one\n"), ("a.txt", "a\n")]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "cfn"]);
    let log = sb.path().join("mcp.stderr");
    let client = connect(&sb, &root, &["--repo"], &[], &log).await;
    let names: Vec<String> =
        client.list_all_tools().await.unwrap().into_iter().map(|t| t.name.to_string()).collect();
    for t in BRANCH_TOOLS.iter().chain(REPO_TOOLS) {
        assert!(names.iter().any(|n| n == t), "missing {t}");
    }

    let a = ok(&client, "worktree_add", json!({"branch": "agent-a"})).await;
    let b = ok(&client, "worktree_add", json!({"branch": "agent-b"})).await;
    let (pa, pb) = (Path::new(a["path"].as_str().unwrap()), Path::new(b["path"].as_str().unwrap()));
    let listed = ok(&client, "worktree_list", json!({})).await;
    let mut branches: Vec<&str> =
        listed["worktrees"].as_array().unwrap().iter().map(|w| w["branch"].as_str().unwrap()).collect();
    // The main checkout first, then worktrees by slot, which depends on the sandbox's path.
    assert_eq!(branches.first(), Some(&"main"), "{listed}");
    branches.sort_unstable();
    assert_eq!(branches, ["agent-a", "agent-b", "main"]);
    // Any branch by name, and its own ports.
    assert_eq!(ok(&client, "ports", json!({"branch": "agent-b"})).await["ports"], b["ports"]);
    let (text, _) = err(&client, "ports", json!({"branch": "nobody"})).await;
    assert!(text.contains("no worktree for branch nobody"), "{text}");

    // agent-a commits a change to shared.txt; agent-b edits it without committing; only
    // agent-a touches a.txt and only agent-b adds new.txt.
    std::fs::write(pa.join("shared.txt"), "from a\n").unwrap();
    std::fs::write(pa.join("a.txt"), "a2\n").unwrap();
    git(pa, &["commit", "-q", "-am", "a"]);
    std::fs::write(pb.join("shared.txt"), "from b\n").unwrap();
    std::fs::write(pb.join("new.txt"), "b\n").unwrap();
    let report = ok(&client, "conflicts", json!({})).await;
    assert_eq!(report["main_branch"], "main");
    assert_eq!(
        report["conflicts"],
        json!([{"path": "shared.txt", "branches": ["agent-a", "agent-b"]}]),
        "{report}"
    );

    // Never forced unless asked: agent-b's uncommitted work is kept.
    let (text, _) = err(&client, "worktree_remove", json!({"branch": "agent-b"})).await;
    assert!(text.contains("uncommitted"), "{text}");
    assert!(pb.join("new.txt").exists());
    let removed = ok(&client, "worktree_remove", json!({"branch": "agent-b", "force": true})).await;
    assert_eq!(removed["branch"], "agent-b");
    assert!(!pb.exists());
    assert_eq!(ok(&client, "conflicts", json!({})).await["conflicts"], json!([]));
    client.cancel().await.unwrap();
}

/// One JSON-RPC message per line, as any client writes them; every reply is one line of JSON.
/// The repository's `worktree_dir` is a trust item: the tool never approves it, so an untrusted
/// one creates nothing.
#[tokio::test]
async fn repo_server_refuses_an_untrusted_worktree_dir() {
    let sb = Sandbox::new();
    let root = sb.repo("mcpwd", &[("docker-compose.yml", WEB_ONLY)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(
        root.join("cfn.toml"),
        toml.replacen("[project]\n", "[project]\nworktree_dir = \"../h/.ssh\"\n", 1),
    )
    .unwrap();
    let client = connect(&sb, &root, &["--repo"], &[], &sb.path().join("mcp.stderr")).await;
    let (text, e) = err(&client, "worktree_add", json!({"branch": "agent-x"})).await;
    assert!(text.contains("not trusted: worktree_dir `../h/.ssh`"), "{text}");
    assert!(e["hint"].as_str().unwrap().contains("cfn trust"), "{e}");
    assert!(!sb.path().join("h").exists(), "nothing created");
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 0);
    client.cancel().await.unwrap();
}

#[test]
fn raw_json_rpc_lines() {
    fn send(stdin: &mut std::process::ChildStdin, line: impl std::fmt::Display) {
        writeln!(stdin, "{line}").unwrap();
    }
    let sb = Sandbox::new();
    let root = sb.repo("mcpraw", &[("docker-compose.yml", WEB_ONLY)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    for version in ["2025-06-18", "2025-03-26", "2024-11-05"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"))
            .current_dir(&root)
            .arg("mcp")
            .envs(hermetic_env(&sb.home, sb.path()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut replies = BufReader::new(child.stdout.take().unwrap()).lines();
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}),
        );
        let init: Value = serde_json::from_str(&replies.next().unwrap().unwrap()).unwrap();
        assert_eq!(init["id"], 1);
        assert_eq!(init["result"]["protocolVersion"], version);
        assert!(init["result"]["capabilities"]["tools"].is_object());
        send(&mut stdin, json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "ports", "arguments": {}}}),
        );
        let reply: Value = serde_json::from_str(&replies.next().unwrap().unwrap()).unwrap();
        assert_eq!(reply["id"], 2);
        assert_eq!(reply["result"]["isError"], false);
        assert_eq!(reply["result"]["structuredContent"]["ports"]["web"], 8080);
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "signal_wait", "arguments": {"task_id": "t", "channel": "c", "timeout": -5}}}),
        );
        let reply: Value = serde_json::from_str(&replies.next().unwrap().unwrap()).unwrap();
        assert_eq!(reply["id"], 3);
        assert_eq!(reply["result"]["isError"], true);
        let text = reply["result"]["content"][0]["text"].as_str().unwrap();
        assert!(text.starts_with("error: not a number of seconds: -5\nhint: "), "{text}");
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "no_such_tool"}}),
        );
        let reply: Value = serde_json::from_str(&replies.next().unwrap().unwrap()).unwrap();
        assert_eq!(reply["id"], 4);
        assert!(reply["error"].is_object() || reply["result"]["isError"] == true, "{reply}");
        // Malformed lines get JSON-RPC's own answers: a parse error, an invalid request by id.
        send(&mut stdin, "not json");
        let reply: Value = serde_json::from_str(&replies.next().unwrap().unwrap()).unwrap();
        assert_eq!(
            (reply["error"]["code"].as_i64(), reply["id"].clone()),
            (Some(-32700), Value::Null),
            "{reply}"
        );
        send(&mut stdin, json!({"jsonrpc": "2.0", "id": 5}));
        let reply: Value = serde_json::from_str(&replies.next().unwrap().unwrap()).unwrap();
        assert_eq!(
            (reply["error"]["code"].as_i64(), reply["id"].clone()),
            (Some(-32600), json!(5)),
            "{reply}"
        );
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "ports", "arguments": {}}}),
        );
        let reply: Value = serde_json::from_str(&replies.next().unwrap().unwrap()).unwrap();
        assert_eq!(reply["id"], 6, "the session goes on");
        // Closing stdin ends the session, and the server exits cleanly.
        drop(stdin);
        assert!(replies.next().is_none(), "nothing after the replies");
        assert!(child.wait().unwrap().success());
    }
}

/// A server started outside any cfn checkout refuses to start, with the CLI's error.
#[test]
fn refuses_to_start_outside_a_checkout() {
    let sb = Sandbox::new();
    let out = sb.cfn(sb.path(), &["mcp"]).write_stdin("").output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing on the protocol stream");
    let root = sb.repo("mcpnone", &[("docker-compose.yml", WEB_ONLY)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let out = sb.cfn(&root, &["mcp", "-b", "ghost"]).write_stdin("").output().unwrap();
    assert!(stderr(&out).contains("no worktree for branch ghost"), "{}", stderr(&out));
}
