//! redis and postgres checks against real servers started by the tests.

use std::time::Duration;

use super::super::CheckKind;
use super::servers::{TestPostgres, TestRedis, PASSWORD};
use super::{closed_port, run, slow_redis_server};

const TIMEOUT: Duration = Duration::from_secs(3);

async fn redis(url: String) -> super::CheckResult {
    run(CheckKind::Redis { url }, TIMEOUT).await
}

async fn postgres(url: String) -> super::CheckResult {
    run(CheckKind::Postgres { url }, TIMEOUT).await
}

#[tokio::test]
async fn redis_pings_with_the_url_password() {
    let Some(server) = TestRedis::start() else { return };
    for userinfo in [format!(":{PASSWORD}"), format!("default:{PASSWORD}"), "alice:wonderland".to_string()] {
        let ok = redis(server.url(&userinfo)).await;
        assert!(ok.ok, "{userinfo}: {ok:?}");
        assert!(ok.message.starts_with("PONG in ") && ok.message.ends_with(" ms"), "{ok:?}");
        assert_eq!(ok.kind, "redis");
    }
}

#[tokio::test]
async fn redis_fails_without_or_with_a_wrong_password_and_never_shows_it() {
    let Some(server) = TestRedis::start() else { return };
    let none = redis(server.url("")).await;
    assert_eq!((none.ok, none.message.as_str()), (false, "NOAUTH: authentication required"));
    let wrong = redis(server.url(":hunter2-wrong")).await;
    assert_eq!((wrong.ok, wrong.message.as_str()), (false, "password authentication failed"));
    let wrong_user = redis(server.url("bob:wonderland")).await;
    assert_eq!((wrong_user.ok, wrong_user.message.as_str()), (false, "password authentication failed"));
    let bad_db = redis(format!("redis://:{PASSWORD}@127.0.0.1:{}/99", server.port)).await;
    assert!(!bad_db.ok && bad_db.message.ends_with("DB index is out of range"), "{bad_db:?}");
}

#[tokio::test]
async fn redis_reports_a_closed_port_and_rediss() {
    let closed = redis(format!("redis://:{PASSWORD}@127.0.0.1:{}", closed_port())).await;
    assert_eq!((closed.ok, closed.message.as_str()), (false, "connection refused"));
    let tls = redis("rediss://:pw@127.0.0.1:6380".to_string()).await;
    assert!(!tls.ok && tls.message.contains("not supported"), "{tls:?}");
}

#[tokio::test]
async fn redis_waits_longer_than_the_drivers_500_ms_default_for_a_reply() {
    let port = slow_redis_server(Duration::from_millis(700)).await;
    let slow = redis(format!("redis://:pw@127.0.0.1:{port}")).await;
    assert!(slow.ok && slow.elapsed_ms >= 700, "{slow:?}");
}

#[tokio::test]
async fn postgres_selects_1_and_reports_a_wrong_password() {
    let Some(server) = TestPostgres::start() else { return };
    let ok = postgres(server.url()).await;
    assert!(ok.ok && ok.message.starts_with("SELECT 1 in "), "{ok:?}");
    let wrong = server.url().replace(PASSWORD, "hunter2-wrong");
    let failed = postgres(wrong).await;
    let expected = r#"db error: FATAL: password authentication failed for user "postgres""#;
    assert_eq!((failed.ok, failed.message.as_str()), (false, expected));
    let no_db = postgres(server.url().replace(&server.database, "nope")).await;
    assert!(!no_db.ok && no_db.message.contains("\"nope\" does not exist"), "{no_db:?}");
}

#[tokio::test]
async fn postgres_reports_a_closed_port() {
    let url = format!("postgres://postgres:{PASSWORD}@127.0.0.1:{}/postgres", closed_port());
    let closed = postgres(url).await;
    assert_eq!(
        (closed.ok, closed.message.as_str()),
        (false, "error connecting to server: connection refused")
    );
}
