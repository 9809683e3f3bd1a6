//! `cfn mcp` against a hostile client writing raw bytes: lines that are not UTF-8, lines over
//! the limit, arguments of the wrong shape or unknown, and a flood of long waits. Every request
//! gets an answer and the session goes on.

use crate::harness::*;
use crate::mcp::WEB_ONLY;
use serde_json::{json, Value};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// `cfn mcp` spoken to line by line; its answers arrive on a channel, so a missing one is a
/// timeout rather than a hang.
struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    answers: Receiver<Value>,
}

impl Raw {
    fn start(sb: &Sandbox, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Raw {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"))
            .current_dir(dir)
            .arg("mcp")
            .args(args)
            .envs(hermetic_env(&sb.home, sb.path()))
            .env_remove("CFN_REDIS_URL")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, answers) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(serde_json::from_str(&line).expect("every answer is JSON")).is_err() {
                    return;
                }
            }
        });
        let mut raw = Raw { stdin: child.stdin.take(), child, answers };
        raw.send(json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}));
        assert_eq!(raw.next(Duration::from_secs(30))["id"], 0);
        raw.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        raw
    }

    fn bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.bytes(format!("{message}\n").as_bytes());
    }

    fn next(&self, within: Duration) -> Value {
        self.answers.recv_timeout(within).expect("an answer in time")
    }

    /// Sends a request and returns its answer (nothing else may be pending).
    fn ask(&mut self, message: Value) -> Value {
        let id = message["id"].clone();
        self.send(message);
        let answer = self.next(Duration::from_secs(30));
        assert_eq!(answer["id"], id, "{answer}");
        answer
    }

    fn ping(&mut self, id: u64) {
        let answer = self.ask(json!({"jsonrpc": "2.0", "id": id, "method": "ping"}));
        assert!(answer["result"].is_object(), "the session goes on: {answer}");
    }

    fn call(&mut self, id: u64, tool: &str, arguments: Value) -> Value {
        let answer = self.ask(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}));
        answer["result"].clone()
    }

    /// Closes stdin and expects a clean exit with nothing more said.
    fn finish(mut self) {
        drop(self.stdin.take());
        assert!(self.child.wait().unwrap().success());
        assert!(self.answers.recv_timeout(Duration::from_secs(5)).is_err(), "nothing after the replies");
    }
}

fn checkout(sb: &Sandbox, name: &str) -> std::path::PathBuf {
    let root = sb.repo(name, &[("docker-compose.yml", WEB_ONLY)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    root
}

fn error_of(answer: &Value) -> (i64, Value) {
    (answer["error"]["code"].as_i64().unwrap_or_else(|| panic!("an error: {answer}")), answer["id"].clone())
}

/// A tool error's structured `{error, hint, exit_code}`.
fn tool_error(result: &Value) -> &Value {
    assert_eq!(result["isError"], true, "{result}");
    let e = &result["structuredContent"];
    assert!(e["error"].is_string() && e["hint"].is_string() && e["exit_code"].is_i64(), "{result}");
    e
}

#[test]
fn lines_not_utf8_or_over_the_limit_are_answered_and_the_session_goes_on() {
    let sb = Sandbox::new();
    let root = checkout(&sb, "mcputf");
    // 4 MiB values: the line limit grows to 6 × 4 MiB + 1 MiB = 25 MiB, past the library's 16 MiB.
    let mut raw = Raw::start(&sb, &root, &[], &[("CFN_MAX_PAYLOAD", "4m")]);
    raw.bytes(b"\xff\xfe\n");
    assert_eq!(error_of(&raw.next(Duration::from_secs(10))), (-32700, Value::Null));
    raw.ping(1);
    raw.bytes(b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{\"x\":\"\xc3\x28\"}}\n");
    assert_eq!(error_of(&raw.next(Duration::from_secs(10))), (-32700, Value::Null));
    raw.ping(3);

    // An 18 MiB request within the limit (every byte of the value escaped) is served.
    let value = "\u{1}".repeat(3 << 20);
    let line = json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "context_store",
        "arguments": {"task_id": "t", "key": "big", "value": value}}});
    assert!(line.to_string().len() > 16 << 20, "over the library's own limit");
    let answer = raw.ask(line);
    assert_eq!(answer["result"]["structuredContent"]["stored"], true, "{}", &answer.to_string()[..300]);
    // A 26 MiB line is refused with id null, and the next line is read.
    let mut long = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"params\":{{\"x\":\"{}",
        "a".repeat(26 << 20)
    );
    long.push_str("\"}}\n");
    raw.bytes(long.as_bytes());
    let answer = raw.next(Duration::from_secs(30));
    assert_eq!(error_of(&answer), (-32600, Value::Null));
    assert!(
        answer["error"]["message"].as_str().unwrap().contains("over the limit of 26214400 bytes"),
        "{answer}"
    );
    raw.ping(6);
    raw.finish();
}

#[test]
fn a_line_over_16_mib_is_refused_by_default() {
    let sb = Sandbox::new();
    let root = checkout(&sb, "mcplong");
    let mut raw = Raw::start(&sb, &root, &[], &[]);
    let pad = |n: usize| {
        format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"x\":\"{}\"}}}}\n",
            "a".repeat(n)
        )
    };
    // Just under the limit: answered; just over it: refused, and the session goes on.
    raw.bytes(pad((16 << 20) - 100).as_bytes());
    assert_eq!(raw.next(Duration::from_secs(30))["id"], 1);
    raw.bytes(pad(16 << 20).as_bytes());
    assert_eq!(error_of(&raw.next(Duration::from_secs(30))), (-32600, Value::Null));
    raw.ping(2);
    raw.finish();
}

#[test]
fn bad_and_unknown_arguments_are_refused_as_the_spec_and_the_schemas_say() {
    let sb = Sandbox::new();
    let root = checkout(&sb, "mcpargs");
    let mut raw = Raw::start(&sb, &root, &[], &[]);
    // `arguments` that are no object: invalid params, by id.
    for (id, arguments) in [(1, json!([])), (2, json!("x")), (3, json!(7))] {
        let answer = raw.ask(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "logs", "arguments": arguments}}));
        assert_eq!(error_of(&answer), (-32602, json!(id)), "{answer}");
    }
    // Left out, they are no arguments.
    let answer =
        raw.ask(json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "env"}}));
    assert_eq!(answer["result"]["isError"], false, "{answer}");

    // A wrong type, a missing field, an unknown field: the tool error of a bad argument.
    let result = raw.call(5, "logs", json!({"lines": -1}));
    let e = tool_error(&result);
    assert_eq!(e["exit_code"], 2);
    assert!(e["error"].as_str().unwrap().starts_with("invalid arguments for logs: "), "{e}");
    assert!(result["content"][0]["text"].as_str().unwrap().starts_with("error: invalid arguments for logs"));
    let e = tool_error(&raw.call(6, "context_get", json!({"task_id": "t"}))).clone();
    assert!(e["error"].as_str().unwrap().contains("missing field `key`"), "{e}");
    assert_eq!(e["exit_code"], 2);
    let e = tool_error(&raw.call(7, "down", json!({"volumes": true}))).clone();
    assert!(e["error"].as_str().unwrap().contains("unknown field `volumes`"), "{e}");
    assert_eq!(e["exit_code"], 2);
    let e =
        tool_error(&raw.call(8, "signal_wait", json!({"channel": "c", "timeout": 1, "chanel": "d"}))).clone();
    assert!(e["error"].as_str().unwrap().contains("unknown field `chanel`"), "{e}");

    // Every input schema says so.
    let tools = raw.ask(json!({"jsonrpc": "2.0", "id": 9, "method": "tools/list"}));
    for tool in tools["result"]["tools"].as_array().unwrap() {
        assert_eq!(tool["inputSchema"]["additionalProperties"], false, "{tool}");
    }
    // An unknown service is a bad argument too; an over-limit value says its message once.
    let e = tool_error(&raw.call(10, "logs", json!({"services": ["ghost"]}))).clone();
    assert_eq!((e["error"].as_str(), e["exit_code"].as_i64()), (Some("no such service: ghost"), Some(2)));
    let value = "v".repeat((1 << 20) + 1);
    let e = tool_error(&raw.call(11, "context_store", json!({"task_id": "t", "key": "k", "value": value})))
        .clone();
    assert_eq!(
        e["error"],
        "context value is 1048577 bytes, over the limit of 1048576 bytes (CFN_MAX_PAYLOAD)"
    );
    raw.finish();
}

#[test]
fn an_unreachable_redis_is_said_once() {
    let sb = Sandbox::new();
    let root = checkout(&sb, "mcpredis");
    let mut raw = Raw::start(&sb, &root, &[], &[("CFN_REDIS_URL", "redis://127.0.0.1:1")]);
    let result = raw.call(1, "signal_send", json!({"task_id": "t", "channel": "c"}));
    let error = tool_error(&result)["error"].as_str().unwrap().to_string();
    assert!(error.starts_with("cannot reach redis at redis://127.0.0.1:1: "), "{error}");
    assert_eq!(error.matches("cannot reach redis").count(), 1, "{error}");
    raw.finish();
}

#[test]
fn a_dirty_worktree_names_the_force_argument() {
    let sb = Sandbox::new();
    let root = checkout(&sb, "mcpforce");
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "cfn"]);
    let mut raw = Raw::start(&sb, &root, &["--repo"], &[]);
    let added = raw.call(1, "worktree_add", json!({"branch": "dirty"}));
    let path = added["structuredContent"]["path"].as_str().unwrap().to_string();
    std::fs::write(Path::new(&path).join("untracked.txt"), "x\n").unwrap();
    let e = tool_error(&raw.call(2, "worktree_remove", json!({"branch": "dirty"}))).clone();
    let hint = e["hint"].as_str().unwrap();
    assert!(hint.contains("`\"force\": true`") && !hint.contains("--force"), "{hint}");
    assert!(Path::new(&path).is_dir(), "nothing removed");
    let e = tool_error(&raw.call(3, "worktree_list", json!({"all": true}))).clone();
    assert!(e["error"].as_str().unwrap().contains("unknown field `all`"), "{e}");
    raw.finish();
}

#[test]
fn a_flood_of_waits_leaves_the_server_answering() {
    let sb = Sandbox::new();
    let root = checkout(&sb, "mcpflood");
    let mut raw = Raw::start(&sb, &root, &[], &[]);
    const CALLS: u64 = 600;
    let start = Instant::now();
    let mut flood = String::new();
    for id in 1..=CALLS {
        let call = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "signal_wait",
            "arguments": {"task_id": "t", "channel": "never", "timeout": 3}}});
        flood.push_str(&format!("{call}\n"));
    }
    raw.bytes(flood.as_bytes());
    raw.send(json!({"jsonrpc": "2.0", "id": "ping", "method": "ping"}));
    let (mut refused, mut timed_out, mut ping) = (0, 0, None);
    for _ in 0..=CALLS {
        let answer = raw.next(Duration::from_secs(10));
        if answer["id"] == "ping" {
            ping = Some(start.elapsed());
            continue;
        }
        let e = tool_error(&answer["result"]);
        match e["exit_code"].as_i64() {
            Some(124) => timed_out += 1,
            Some(1) if e["error"].as_str().unwrap().starts_with("too many calls in flight") => refused += 1,
            _ => panic!("{answer}"),
        }
    }
    let ping = ping.expect("ping answered");
    assert!(ping < Duration::from_secs(3), "ping waited for the waits: {ping:?}");
    assert_eq!(refused + timed_out, CALLS);
    assert!(timed_out >= 1 && refused >= 1, "{timed_out} timed out, {refused} refused");
    // The waits took their 3 s, not the time of a queue behind them.
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    raw.ping(1000);
    raw.finish();
}
