//! What only a server can do: logins, fallbacks, dying mid-wait.

use super::harness::{RedisServer, RedisServerExt};
use super::ms;
use crate::bus::{connect_with_fallback, Bus, BusError, RedisBus};

// redis-server joins the words after `--user` into one ACL rule line.
const ACL: [&str; 10] = ["--user", "agent", "on", ">s3cret", "~*", "&*", "+@all", "--user", "default", "off"];

#[tokio::test]
async fn an_acl_user_and_password_work() {
    let Some(server) = RedisServer::start(&ACL) else { return };
    let bus = Bus::Redis(RedisBus::connect(&server.url_as("agent", "s3cret")).await.expect("login"));
    bus.signal_send("t", "c", "p").await.expect("send");
    assert_eq!(bus.signal_wait("t", "c", ms(0)).await.expect("wait").as_deref(), Some("p"));
    assert!(bus.describe().contains("agent:***@"), "{}", bus.describe());
}

#[tokio::test]
async fn a_user_refused_info_is_on_a_single_server() {
    // Cluster mode is asked with INFO; a user without it still works, as before.
    let acl = ["--user", "agent", "on", ">s3cret", "~*", "&*", "+@all", "-info", "--user", "default", "off"];
    let Some(server) = RedisServer::start(&acl) else { return };
    let bus = RedisBus::connect(&server.url_as("agent", "s3cret")).await.expect("login without INFO");
    assert!(!bus.is_cluster());
    let bus = Bus::Redis(bus);
    bus.signal_send("t", "c", "p").await.expect("send");
    assert_eq!(bus.signal_wait("t", "c", ms(0)).await.expect("wait").as_deref(), Some("p"));
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_error() {
    let Some(server) = RedisServer::start(&ACL) else { return };
    let err = RedisBus::connect(&server.url_as("agent", "badpass")).await.err().expect("refused");
    assert!(matches!(err, BusError::Auth { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with("redis at redis://agent:***@127.0.0.1:"), "{message}");
    assert!(message.ends_with("refused the login (wrong user name or password)"), "{message}");
    assert!(!message.contains("badpass"));
    let anonymous = RedisBus::connect(&server.url()).await.err().expect("refused");
    assert!(matches!(anonymous, BusError::Auth { .. }), "{anonymous:?}");
}

#[tokio::test]
async fn requirepass_works_with_an_empty_user() {
    let Some(server) = RedisServer::start(&["--requirepass", "pw"]) else { return };
    assert!(RedisBus::connect(&server.url_as("", "pw")).await.is_ok());
    assert!(RedisBus::connect(&server.url_as("", "nope")).await.is_err());
}

/// A server restarted on its port (data persisted) mid-wait: the wait reconnects and gets the
/// signal sent after the restart, the shared connection sends again, and what was written
/// before is still there. A server that stays gone past the wait's deadline is a timeout
/// (`None`), never a success.
#[tokio::test]
async fn a_wait_rides_out_a_restart_and_a_server_that_stays_gone_is_a_timeout() {
    let aof = tempfile::tempdir().unwrap();
    let dir = aof.path().to_string_lossy().into_owned();
    let persist = ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir.as_str()];
    let Some(mut server) = RedisServer::start(&persist) else { return };
    let port = server.port;
    let bus = server.bus().await;
    bus.signal_send("t", "before", "kept").await.unwrap();
    let waiter = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.signal_next("t", "after", "0", ms(20_000)).await })
    };
    server.until_blocked(1).await;
    server.kill();
    tokio::time::sleep(ms(1_000)).await;
    let mut again = RedisServer::start_on(port, &persist).expect("redis-server starts again");
    bus.signal_send("t", "after", "sent after the restart").await.expect("the shared connection reconnects");
    let got = tokio::time::timeout(ms(10_000), waiter).await.expect("no hang").expect("join");
    assert_eq!(got.unwrap().map(|s| s.payload).as_deref(), Some("sent after the restart"));
    assert_eq!(bus.signal_wait("t", "before", ms(0)).await.unwrap().as_deref(), Some("kept"), "persisted");
    let waiter = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.signal_wait("t", "never", ms(2_000)).await })
    };
    again.until_blocked(1).await;
    again.kill();
    let got = tokio::time::timeout(ms(10_000), waiter).await.expect("no hang").expect("join");
    assert!(matches!(got, Ok(None)), "a server gone past the deadline is a timeout: {got:?}");
}

#[tokio::test]
async fn the_fallback_is_used_only_when_the_primary_is_unreachable() {
    let Some(server) = RedisServer::start(&ACL) else { return };
    let good = server.url_as("agent", "s3cret");
    let via = connect_with_fallback("redis://127.0.0.1:1/0", Some(&good)).await.expect("fallback");
    assert!(via.used_fallback);
    assert_eq!(via.url, good);
    let direct = connect_with_fallback(&good, Some("redis://127.0.0.1:1/0")).await.expect("primary");
    assert!(!direct.used_fallback);
    let refused = connect_with_fallback(&server.url_as("agent", "bad"), Some(&good)).await;
    assert!(matches!(refused, Err(BusError::Auth { .. })), "a refused login never falls back");
}
