//! Validating configured checks with `build_check`.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use super::super::config::{HealthError, DEFAULT_TIMEOUT};
use super::super::{build_check, CheckConfig, CheckKind};

fn parse(value: serde_json::Value) -> CheckConfig {
    serde_json::from_value(value).unwrap()
}

fn build(value: serde_json::Value) -> Result<super::super::Check, HealthError> {
    build_check("db", &parse(value))
}

#[test]
fn builds_every_kind() {
    let tcp = build(json!({"type": "tcp", "port": "5433", "timeout": 1.5})).unwrap();
    assert_eq!(tcp.kind, CheckKind::Tcp { host: "127.0.0.1".into(), port: 5433 });
    assert_eq!((tcp.name.as_str(), tcp.timeout), ("db", Duration::from_millis(1500)));
    let tcp = build(json!({"type": "tcp", "host": "localhost", "port": 6379})).unwrap();
    assert_eq!(tcp.kind, CheckKind::Tcp { host: "localhost".into(), port: 6379 });
    assert_eq!(tcp.timeout, DEFAULT_TIMEOUT);
    let http = build(json!({"type": "http", "url": "http://127.0.0.1:3000/health", "expect_status": 204}));
    let expected = CheckKind::Http { url: "http://127.0.0.1:3000/health".into(), expect_status: Some(204) };
    assert_eq!(http.unwrap().kind, expected);
    for (kind, url) in [
        ("redis", "redis://:pw@127.0.0.1:6379/0"),
        ("redis", "rediss://h"),
        ("postgres", "postgres://u@h/db"),
    ] {
        assert!(build(json!({"type": kind, "url": url})).is_ok(), "{url}");
    }
    let sqlite = build(json!({"type": "sqlite", "path": ".cfn/data/app.db"})).unwrap();
    assert_eq!(sqlite.kind, CheckKind::Sqlite { path: PathBuf::from(".cfn/data/app.db") });
    let command = build(json!({"type": "command", "command": ["pg_isready", "-p", "5433"]})).unwrap();
    let argv = vec!["pg_isready".to_string(), "-p".into(), "5433".into()];
    assert_eq!(command.clone().kind, CheckKind::Command { argv: argv.clone(), cwd: None });
    let in_tree = command.with_cwd("/work/tree");
    assert_eq!(in_tree.kind, CheckKind::Command { argv, cwd: Some(PathBuf::from("/work/tree")) });
}

#[test]
fn refuses_what_it_cannot_run() {
    let cases = [
        (
            json!({"type": "ping"}),
            r#"health check db: unknown type "ping" (expected tcp, http, redis, postgres, sqlite or command)"#,
        ),
        (json!({"type": "tcp"}), "health check db: a tcp check needs `port`"),
        (
            json!({"type": "tcp", "port": "{{ ports.db }}"}),
            r#"health check db: port "{{ ports.db }}" is not a number from 1 to 65535"#,
        ),
        (json!({"type": "tcp", "port": "0"}), r#"health check db: port "0" is not a number from 1 to 65535"#),
        (
            json!({"type": "tcp", "port": 70000}),
            r#"health check db: port "70000" is not a number from 1 to 65535"#,
        ),
        (
            json!({"type": "tcp", "port": "1", "url": "http://x"}),
            "health check db: `url` does not apply to a tcp check",
        ),
        (
            json!({"type": "tcp", "port": "1", "timeout": 0}),
            "health check db: timeout 0 is not a positive number of seconds",
        ),
        (
            json!({"type": "tcp", "port": "1", "timeout": -2.5}),
            "health check db: timeout -2.5 is not a positive number of seconds",
        ),
        (
            json!({"type": "http", "url": "ftp://x"}),
            "health check db: invalid url ftp://x: scheme ftp is not http or https",
        ),
        (
            json!({"type": "http", "url": "http://x", "expect_status": 42}),
            "health check db: expect_status 42 is not an http status (100 to 599)",
        ),
        (
            json!({"type": "redis", "url": "http://:pw@x"}),
            "health check db: invalid url http://:***@x: expected redis:// or rediss://",
        ),
        (json!({"type": "sqlite", "path": " "}), "health check db: `path` is empty"),
        (json!({"type": "command", "command": []}), "health check db: `command` is empty"),
        (json!({"type": "command"}), "health check db: a command check needs `command`"),
    ];
    for (config, message) in cases {
        let error = build(config.clone()).unwrap_err();
        assert_eq!(error.to_string(), message, "{config}");
    }
}

#[test]
fn a_bad_postgres_url_is_refused_without_its_password() {
    let error = build(json!({"type": "postgres", "url": "postgres://u:hunter2@h:notaport/db"})).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("health check db: invalid url postgres://u:***@h:notaport/db: "),
        "{message}"
    );
    assert!(!message.contains("hunter2") && !message.contains('\n'), "{message}");
}

#[test]
fn unknown_fields_are_refused() {
    let error = serde_json::from_value::<CheckConfig>(json!({"type": "tcp", "prot": "1"})).unwrap_err();
    assert!(error.to_string().contains("unknown field `prot`"), "{error}");
}
