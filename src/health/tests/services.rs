//! redis and postgres checks against real servers started by the tests.

use std::time::Duration;

use super::super::CheckKind;
use super::support::postgres::{TestPostgres, PASSWORD};
use super::support::redis::RedisServer;
use super::{closed_port, run, slow_redis_server};

const TIMEOUT: Duration = Duration::from_secs(3);

/// `redis-server` with the default user's password [`PASSWORD`] and a user `alice` whose
/// password is `wonderland`.
fn redis_with_users() -> Option<RedisServer> {
    RedisServer::start(&[
        "--requirepass",
        PASSWORD,
        "--user",
        "alice",
        "on",
        ">wonderland",
        "~*",
        "&*",
        "+@all",
    ])
}

/// The server's URL with `userinfo` (`user:password`, or none when empty).
fn url(server: &RedisServer, userinfo: &str) -> String {
    match userinfo {
        "" => server.url(),
        _ => format!("redis://{userinfo}@127.0.0.1:{}", server.port),
    }
}

async fn redis(url: String) -> super::CheckResult {
    run(CheckKind::Redis { url }, TIMEOUT).await
}

async fn postgres(url: String) -> super::CheckResult {
    run(CheckKind::Postgres { url }, TIMEOUT).await
}

#[tokio::test]
async fn redis_pings_with_the_url_password() {
    let Some(server) = redis_with_users() else { return };
    for userinfo in [format!(":{PASSWORD}"), format!("default:{PASSWORD}"), "alice:wonderland".to_string()] {
        let ok = redis(url(&server, &userinfo)).await;
        assert!(ok.ok, "{userinfo}: {ok:?}");
        assert!(ok.message.starts_with("PONG in ") && ok.message.ends_with(" ms"), "{ok:?}");
        assert_eq!(ok.kind, "redis");
    }
}

#[tokio::test]
async fn redis_fails_without_or_with_a_wrong_password_and_never_shows_it() {
    let Some(server) = redis_with_users() else { return };
    let none = redis(url(&server, "")).await;
    assert_eq!((none.ok, none.message.as_str()), (false, "NOAUTH: authentication required"));
    let wrong = redis(url(&server, ":hunter2-wrong")).await;
    assert_eq!((wrong.ok, wrong.message.as_str()), (false, "password authentication failed"));
    let wrong_user = redis(url(&server, "bob:wonderland")).await;
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
