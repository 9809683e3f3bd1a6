//! The coordination primitives through the real binary, on a real Redis and on the embedded
//! bus: exit codes are what scripts rely on (124 for a wait that ran out, never 0).

use crate::harness::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs `cfn` with the bus chosen: a Redis URL, or the embedded bus (no URL, outside a repo).
fn bus_cmd(sb: &Sandbox, redis: Option<&str>, args: &[&str]) -> assert_cmd::Command {
    let mut c = sb.cfn(sb.path(), args);
    match redis {
        Some(url) => c.env("CFN_REDIS_URL", url),
        None => c.env_remove("CFN_REDIS_URL"),
    };
    c
}

fn spawn(sb: &Sandbox, redis: Option<&str>, args: &[&str]) -> std::process::Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
    cmd.current_dir(sb.path()).args(args).stdout(std::process::Stdio::piped());
    for (k, v) in hermetic_env(&sb.home, sb.path()) {
        cmd.env(k, v);
    }
    match redis {
        Some(url) => cmd.env("CFN_REDIS_URL", url),
        None => cmd.env_remove("CFN_REDIS_URL"),
    };
    cmd.spawn().unwrap()
}

fn primitives(redis: Option<&str>) {
    let sb = Sandbox::new();
    let _ = Path::new("");
    // A wait with nothing sent exits 124 after its timeout, never 0.
    let started = Instant::now();
    let out =
        bus_cmd(&sb, redis, &["signal", "wait", "--task-id", "t", "--channel", "none", "--timeout", "1"])
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    assert!(started.elapsed() >= Duration::from_millis(900));

    // Waiters started before the send all wake; a send before the wait is seen.
    let waiters: Vec<_> = (0..5)
        .map(|_| {
            spawn(&sb, redis, &["signal", "wait", "--task-id", "t", "--channel", "go", "--timeout", "20"])
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    bus_cmd(&sb, redis, &["signal", "send", "--task-id", "t", "--channel", "go", "--payload", "$(x) 'y'"])
        .assert()
        .success();
    for w in waiters {
        let out = w.wait_with_output().unwrap();
        assert!(out.status.success());
        assert_eq!(text(&out.stdout).trim(), "$(x) 'y'", "payload verbatim");
    }
    bus_cmd(&sb, redis, &["signal", "wait", "--task-id", "t", "--channel", "go", "--timeout", "1"])
        .assert()
        .success();

    // results collect: 3 distinct of 5 at 0.6; a double report counts once.
    for (agent, conf) in [("a", "0.9"), ("a", "0.1"), ("b", "0.8"), ("c", "0.7")] {
        bus_cmd(
            &sb,
            redis,
            &["agent", "report", "--task-id", "r", "--agent-id", agent, "--confidence", conf],
        )
        .assert()
        .success();
    }
    let collect =
        ["results", "collect", "--task-id", "r", "--expected", "5", "--threshold", "0.6", "--timeout", "5"];
    let first = bus_cmd(&sb, redis, &collect).output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(v["reports"].as_array().unwrap().len(), 3);
    assert!((v["mean_confidence"].as_f64().unwrap() - 0.8).abs() < 1e-9, "first report of a counts: {v}");
    let second = bus_cmd(&sb, redis, &collect).output().unwrap();
    assert_eq!(first.stdout, second.stdout, "collecting twice gives the same results");
    let short = ["results", "collect", "--task-id", "r", "--expected", "5", "--timeout", "1"];
    assert_eq!(bus_cmd(&sb, redis, &short).output().unwrap().status.code(), Some(124));

    // Locks: held, not takeable, release by a non-holder refused.
    let out = bus_cmd(&sb, redis, &["lock", "acquire", "--resource", "db", "--ttl", "30"]).output().unwrap();
    let token = text(&out.stdout).trim().to_string();
    assert!(!token.is_empty());
    let again =
        bus_cmd(&sb, redis, &["lock", "acquire", "--resource", "db", "--wait", "0.5"]).output().unwrap();
    assert_eq!(again.status.code(), Some(124));
    let wrong =
        bus_cmd(&sb, redis, &["lock", "release", "--resource", "db", "--token", "not-it"]).output().unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    bus_cmd(&sb, redis, &["lock", "release", "--resource", "db", "--token", &token]).assert().success();
    bus_cmd(&sb, redis, &["lock", "acquire", "--resource", "db"]).assert().success();

    // Context values, verbatim.
    bus_cmd(&sb, redis, &["context", "store", "--task-id", "t", "--key", "k", "--value", "a=b; $HOME"])
        .assert()
        .success();
    let out = bus_cmd(&sb, redis, &["context", "get", "--task-id", "t", "--key", "k"]).output().unwrap();
    assert_eq!(text(&out.stdout).trim(), "a=b; $HOME");
    // Bad ids are usage errors.
    let bad = bus_cmd(&sb, redis, &["context", "get", "--task-id", "a{b}", "--key", "k"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn primitives_on_redis() {
    let Some(redis) = RedisServer::start(&[]) else { return };
    primitives(Some(&redis.url()));
}

#[test]
fn primitives_on_the_embedded_bus() {
    primitives(None);
}

#[test]
fn an_unreachable_redis_is_an_error_not_a_timeout() {
    let sb = Sandbox::new();
    let out =
        bus_cmd(&sb, Some("redis://127.0.0.1:1"), &["signal", "wait", "--task-id", "t", "--channel", "c"])
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot reach redis"), "{}", stderr(&out));
}
