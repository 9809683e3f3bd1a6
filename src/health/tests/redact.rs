//! Passwords never reach a message or a `Debug` output.

use std::time::Duration;

use super::super::redact::scrub;
use super::super::{redact_url, CheckConfig, CheckKind};
use super::check;

#[test]
fn redact_url_hides_passwords_and_keeps_the_rest() {
    let cases = [
        ("redis://:secret@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("redis://alice:p%40ss@h:1", "redis://alice:***@h:1"),
        (
            "postgres://app:pa@ss@db:5432/app?sslmode=disable",
            "postgres://app:***@db:5432/app?sslmode=disable",
        ),
        ("postgres://app@db/app", "postgres://app@db/app"),
        ("http://127.0.0.1:8080/health", "http://127.0.0.1:8080/health"),
        (
            "postgresql:///app?host=/tmp&password=s3cret&user=x",
            "postgresql:///app?host=/tmp&password=***&user=x",
        ),
        ("host=db user=app password='it''s secret' dbname=app", "host=db user=app password=*** dbname=app"),
        (r"host=db password='it\'s secret' dbname=app", "host=db password=*** dbname=app"),
        ("host=db PASSWORD=plain dbname=app", "host=db PASSWORD=*** dbname=app"),
        (
            "cannot reach redis://u:pw@a and http://v:pw2@b/x",
            "cannot reach redis://u:***@a and http://v:***@b/x",
        ),
        ("no url at all", "no url at all"),
        ("old_password=kept", "old_password=kept"),
    ];
    for (url, shown) in cases {
        assert_eq!(redact_url(url), shown, "{url}");
    }
}

#[test]
fn scrub_removes_the_raw_and_decoded_password() {
    let url = "redis://:p%40ss@h";
    assert_eq!(scrub("auth p@ss and p%40ss failed", url), "auth *** and *** failed");
    assert_eq!(scrub("nothing", "redis://h"), "nothing");
}

#[test]
fn debug_output_never_shows_a_password() {
    let kinds = [
        CheckKind::Redis { url: "redis://:hunter2@h:1".into() },
        CheckKind::Postgres { url: "postgres://u:hunter2@h/db".into() },
        CheckKind::Http { url: "http://u:hunter2@h/".into(), expect_status: None },
        CheckKind::Command { argv: vec!["psql".into(), "postgres://u:hunter2@h/db".into()], cwd: None },
    ];
    for kind in kinds {
        let shown = format!("{:?}", check(kind, Duration::from_secs(1)));
        assert!(!shown.contains("hunter2") && shown.contains("***"), "{shown}");
    }
    let config =
        CheckConfig { kind: "redis".into(), url: Some("redis://:hunter2@h".into()), ..Default::default() };
    let shown = format!("{config:?}");
    assert!(!shown.contains("hunter2") && shown.contains("***"), "{shown}");
}

#[tokio::test]
async fn a_command_repeating_a_password_from_its_arguments_is_scrubbed() {
    let script = r#"echo "cannot use $0 (password hunter2)" >&2; exit 2"#;
    let argv = ["sh", "-c", script, "postgres://u:hunter2@h/db"].map(String::from).to_vec();
    let result = super::run(CheckKind::Command { argv, cwd: None }, Duration::from_secs(2)).await;
    assert_eq!(result.message, "exit status 2: cannot use postgres://u:***@h/db (password ***)");
}
