//! Transcripts of the errors of `token`, of the coordination commands (`context`, `signal`,
//! `agent`, `results`, `lock`) on the embedded bus, and of `proxy` and `url`.

use crate::harness::*;
use crate::transcripts::{check, Filters};
use std::path::PathBuf;

/// A repository whose stack has no Redis, so the coordination commands use the embedded bus.
fn web_only(sb: &Sandbox) -> PathBuf {
    let compose = "services:\n  web:\n    image: busybox\n    ports: [\"8080:80\"]\n";
    let root = sb.repo("shop", &[("docker-compose.yml", compose)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    root
}

/// `cfn token issue` for agent a, task t, server `cfn`, with `extra` arguments.
fn issue(sb: &Sandbox, root: &std::path::Path, name: &str, extra: &[&str]) {
    let mut args = vec!["token", "issue", "--agent", "a", "--task", "t", "--audience", "cfn"];
    args.extend_from_slice(extra);
    check(sb, root, name, &args);
}

#[test]
fn token_ttl_without_a_unit() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    issue(&sb, &root, "token_ttl_without_a_unit", &["--ttl", "90"]);
}

#[test]
fn token_ttl_negative() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    issue(&sb, &root, "token_ttl_negative", &["--ttl=-1h"]);
}

#[test]
fn token_ttl_not_a_whole_number() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    issue(&sb, &root, "token_ttl_not_a_whole_number", &["--ttl", "1.5h"]);
}

#[test]
fn token_ttl_zero() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    issue(&sb, &root, "token_ttl_zero", &["--ttl", "0s"]);
}

#[test]
fn token_ttl_over_30_days() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    issue(&sb, &root, "token_ttl_over_30_days", &["--ttl", "31d"]);
}

#[test]
fn token_audiences() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let base = ["token", "issue", "--agent", "a", "--task", "t", "--audience"];
    for (name, audience) in
        [("token_audience_empty", ""), ("token_audience_malformed", "a b"), ("token_audience_unknown", "db")]
    {
        let args: Vec<&str> = base.iter().copied().chain([audience]).collect();
        check(&sb, &root, name, &args);
    }
}

#[test]
fn token_agent_name_with_a_space() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let args = ["token", "issue", "--agent", "a b", "--task", "t", "--audience", "cfn"];
    check(&sb, &root, "token_agent_name_with_a_space", &args);
}

#[test]
fn token_revoke_unknown_id() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    check(&sb, &root, "token_revoke_unknown_id", &["token", "revoke", "--jti", "nope"]);
}

#[test]
fn token_verify_malformed() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    check(&sb, &root, "token_verify_malformed", &["token", "verify", "not-a-token", "--audience", "cfn"]);
}

#[test]
fn token_verify_for_another_server() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let args = ["token", "issue", "--agent", "a", "--task", "t", "--audience", "web"];
    let out = sb.cfn(&root, &args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let token = text(&out.stdout).trim().to_string();
    let verify = ["token", "verify", &token, "--audience", "cfn"];
    check(&sb, &root, "token_verify_for_another_server", &verify);
}

#[test]
fn token_key_file_open_to_others() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let root = web_only(&sb);
    sb.cfn(&root, &["token", "rotate"]).assert().success();
    let keys = sb.home.join("token-keys.json");
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
    issue(&sb, &root, "token_key_file_open_to_others", &[]);
}

#[test]
fn token_key_file_damaged() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    sb.cfn(&root, &["token", "rotate"]).assert().success();
    std::fs::write(sb.home.join("token-keys.json"), "{ not json").unwrap();
    issue(&sb, &root, "token_key_file_damaged", &[]);
}

#[test]
fn context_get_of_a_missing_key() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    check(&sb, &root, "context_get_of_a_missing_key", &["context", "get", "--task-id", "t", "--key", "k"]);
}

#[test]
fn context_store_from_a_missing_file() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let args = ["context", "store", "--task-id", "t", "--key", "k", "--value", "@/nonexistent/value"];
    check(&sb, &root, "context_store_from_a_missing_file", &args);
}

#[test]
fn signal_wait_times_out() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let args = ["signal", "wait", "--task-id", "t", "--channel", "go", "--timeout", "0"];
    check(&sb, &root, "signal_wait_times_out", &args);
}

#[test]
fn results_collect_times_out() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let args = ["results", "collect", "--task-id", "t", "--expected", "2", "--timeout", "0"];
    check(&sb, &root, "results_collect_times_out", &args);
}

#[test]
fn agent_report_with_a_payload_that_is_not_json() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let args =
        ["agent", "report", "--task-id", "t", "--agent-id", "a", "--confidence", "0.9", "--payload", "{oops"];
    check(&sb, &root, "agent_report_with_a_payload_that_is_not_json", &args);
}

#[test]
fn agent_report_for_another_agent() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let args = ["agent", "report", "--task-id", "t", "--agent-id", "a", "--confidence", "0.9"];
    let out =
        sb.cfn(&root, &args).env("CFN_AGENT_ID", "b").env("CFN_AGENT_TOKEN", "secret-of-b").output().unwrap();
    Filters::new(&sb).assert("agent_report_for_another_agent", &out);
}

#[test]
fn lock_held_by_another_caller_and_released_with_a_wrong_token() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    sb.cfn(&root, &["lock", "acquire", "--resource", "r"]).assert().success();
    check(&sb, &root, "lock_held_by_another_caller", &["lock", "acquire", "--resource", "r"]);
    let args = ["lock", "release", "--resource", "r", "--token", "not-the-token"];
    check(&sb, &root, "lock_released_with_a_wrong_token", &args);
}

#[test]
fn redis_password_file_that_cannot_be_read() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let args = ["context", "get", "--task-id", "t", "--key", "k", "--redis-password-file", "/nonexistent/pw"];
    check(&sb, &root, "redis_password_file_that_cannot_be_read", &args);
}

#[test]
fn proxy_on_a_port_in_use() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = sb.cfn(&root, &["proxy", "--port", &port]).output().unwrap();
    Filters::new(&sb).ports().with(r"port \d+", "port [PORT]").assert("proxy_on_a_port_in_use", &out);
}

#[test]
fn proxy_on_an_address_of_another_machine() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    let args = ["proxy", "--bind", "192.0.2.1", "--port", "7355"];
    check(&sb, &root, "proxy_on_an_address_of_another_machine", &args);
}

#[test]
fn url_of_an_unknown_service() {
    let sb = Sandbox::new();
    let root = web_only(&sb);
    check(&sb, &root, "url_of_an_unknown_service", &["url", "nope"]);
}
