//! The bus's secrets and limits through the real binary: Redis passwords stay out of the process
//! list and out of everything a run records; oversized values are refused with a clear error; 16
//! reporting processes on the embedded bus lose nothing.

use crate::harness::*;
use crate::work_loop::{repo_with, Team, CONFIDENT, PO_PROCEED};

const PASSWORD: &str = "s3cret-pw";

#[test]
fn redis_passwords_stay_out_of_arguments_and_records() {
    let sb = Sandbox::new();
    let socket = sb.path().join("redis.sock");
    let socket_arg = socket.to_str().unwrap().to_string();
    let Some(redis) = RedisServer::start(&["--requirepass", PASSWORD, "--unixsocket", &socket_arg]) else {
        return;
    };
    let team = Team { implementer: CONFIDENT, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
    let root = repo_with(&sb, &team);
    let cfn_bin = assert_cmd::cargo::cargo_bin("cfn");
    let run = |task: &str, url: &str, env: &[(&str, &str)]| {
        let mut cmd = sb.cfn(
            &root,
            &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", task, "--redis-url", url],
        );
        cmd.env("CFN_BIN", &cfn_bin).env_remove("CFN_REDIS_URL").envs(env.iter().copied());
        cmd.output().unwrap()
    };
    // A password in the URL still works, with a warning, and is recorded redacted.
    let unix = format!("redis+unix://{}?pass={PASSWORD}", socket.display());
    let out = run("in-url", &unix, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("--redis-url carries a password"), "{}", stderr(&out));
    // From the environment: nothing to see in the process list, and no warning.
    let tcp = format!("redis://127.0.0.1:{}", redis.port);
    let out = run("from-env", &tcp, &[("CFN_REDIS_PASSWORD", PASSWORD)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("carries a password"), "{}", stderr(&out));
    let denied = run("no-password", &tcp, &[]);
    assert_eq!(denied.status.code(), Some(1), "the server does require it");

    for args in [
        &["loop", "status", "in-url", "--json"][..],
        &["loop", "list", "--json"],
        &["loop", "status", "in-url"],
    ] {
        let out = sb.cfn(&root, args).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let shown = text(&out.stdout);
        assert!(!shown.contains(PASSWORD), "cfn {args:?} shows the password: {shown}");
        assert!(shown.contains("redis") || args[1] == "status", "{shown}");
    }
    let db = sb.db();
    let bus: String =
        db.query_row("SELECT bus FROM loop_runs WHERE task_id = 'in-url'", [], |r| r.get(0)).unwrap();
    assert!(bus.contains("pass=***") && !bus.contains(PASSWORD), "{bus}");
    let leaks: i64 = db
        .query_row("SELECT COUNT(*) FROM loop_events WHERE data LIKE '%' || ?1 || '%'", [PASSWORD], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(leaks, 0, "an event holds the password");

    // The primitives read it from a file.
    let file = sb.path().join("redis-password");
    std::fs::write(&file, format!("{PASSWORD}\n")).unwrap();
    let flags = ["--redis-url", &tcp, "--redis-password-file", file.to_str().unwrap()];
    let mut store = vec!["context", "store", "--task-id", "t", "--key", "k", "--value", "v"];
    store.extend(flags);
    sb.cfn(&root, &store).assert().success();
    let mut get = vec!["context", "get", "--task-id", "t", "--key", "k"];
    get.extend(flags);
    let out = sb.cfn(&root, &get).output().unwrap();
    assert_eq!(text(&out.stdout).trim(), "v", "{}", stderr(&out));
}

#[test]
fn oversized_values_are_refused_on_every_primitive() {
    let sb = Sandbox::new();
    let root = sb.shop("limits");
    let big = sb.path().join("big.json");
    std::fs::write(&big, format!("\"{}\"", "x".repeat((1 << 20) + 10))).unwrap();
    let at_big = format!("@{}", big.display());
    let attempts: [&[&str]; 3] = [
        &["context", "store", "--task-id", "t", "--key", "k", "--value", &at_big],
        &[
            "agent",
            "report",
            "--task-id",
            "t",
            "--agent-id",
            "a",
            "--confidence",
            "0.5",
            "--payload",
            &at_big,
        ],
        &["signal", "send", "--task-id", "t", "--channel", "c", "--payload", "0123456789abcdef"],
    ];
    for args in attempts {
        let mut cmd = sb.cfn(&root, args);
        cmd.env_remove("CFN_REDIS_URL");
        if args[0] == "signal" {
            // Arguments cannot carry a megabyte: a smaller limit shows the same refusal.
            cmd.env("CFN_MAX_PAYLOAD", "8");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "cfn {}: {}", args[0], stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("over the limit of") && err.contains("CFN_MAX_PAYLOAD"), "{err}");
        assert!(err.contains("hint:"), "{err}");
    }
    let bus = root.join(".cfn/bus.db");
    let size = std::fs::metadata(&bus).map(|m| m.len()).unwrap_or(0);
    assert!(size < 1 << 20, "nothing big was stored: {size} bytes");
}

#[test]
fn sixteen_reporting_processes_lose_no_report_on_the_embedded_bus() {
    let sb = Sandbox::new();
    let bus = sb.path().join("bus").join("bus.db");
    let cfn_bin = assert_cmd::cargo::cargo_bin("cfn");
    let (writers, each) = (16, 12);
    let script = format!(
        "i=0; while [ $i -lt {each} ]; do \"$CFN_BIN\" agent report --task-id load --agent-id \"w$1-$i\" --confidence 0.5 || exit 1; i=$((i+1)); done"
    );
    let children: Vec<_> = (0..writers)
        .map(|w| {
            std::process::Command::new("sh")
                .args(["-c", &script, "sh", &w.to_string()])
                .current_dir(sb.path())
                .envs(hermetic_env(&sb.home, sb.path()))
                .env("CFN_BIN", &cfn_bin)
                .env("CFN_BUS_PATH", &bus)
                .env_remove("CFN_REDIS_URL")
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a reporter failed: {}", stderr(&out));
    }
    let expected = (writers * each).to_string();
    let out = sb
        .cfn(
            sb.path(),
            &["results", "collect", "--task-id", "load", "--expected", &expected, "--timeout", "0"],
        )
        .env("CFN_BUS_PATH", &bus)
        .env_remove("CFN_REDIS_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["reports"].as_array().map(Vec::len), Some(writers * each), "every report arrived");
}
