//! Tests of the health checks: against tiny servers started here, real PostgreSQL and Redis
//! servers ([`support`]), processes and files.

mod checks;
mod config;
mod redact;
mod services;
/// The test support shared with tests/cli (one copy): servers, the CI rule, `race`. Declared
/// here, once for the whole unit-test binary; other modules reach it by this path.
#[path = "../../../tests/support/mod.rs"]
pub(crate) mod support;

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::{run_check, Check, CheckKind, CheckResult};

pub(crate) fn check(kind: CheckKind, timeout: Duration) -> Check {
    Check { name: "probe".to_string(), kind, timeout }
}

/// Runs `kind` with `timeout`, asserting it finished within the timeout plus 0.75 s.
pub(crate) async fn run(kind: CheckKind, timeout: Duration) -> CheckResult {
    let started = Instant::now();
    let result = run_check(&check(kind, timeout)).await;
    let took = started.elapsed();
    assert!(
        took < timeout + Duration::from_millis(750),
        "took {took:?} with a {timeout:?} timeout: {result:?}"
    );
    assert!(!result.message.contains('\n'), "{result:?}");
    result
}

/// A server that accepts connections and never answers; its port.
pub(crate) async fn hanging_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    port
}

/// An HTTP server answering every request with `status_line` (`"500 Internal Server
/// Error"`); its port and a receiver of the requests it got.
pub(crate) async fn http_server(
    status_line: &'static str,
) -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, requests) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut chunk = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&chunk[..n]),
                }
            }
            let _ = sender.send(String::from_utf8_lossy(&request).into_owned());
            let response = format!("HTTP/1.1 {status_line}\r\nContent-Length: 2\r\n\r\nhi");
            let _ = stream.write_all(response.as_bytes()).await;
        }
    });
    (port, requests)
}

/// A port nothing listens on.
pub(crate) fn closed_port() -> u16 {
    support::watchdog::free_port()
}

/// A fake Redis server that answers every command (`+PONG` to `PING`, `+OK` to anything
/// else) after `delay`; its port.
pub(crate) async fn slow_redis_server(delay: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut chunk = [0u8; 4096];
                while let Ok(n @ 1..) = stream.read(&mut chunk).await {
                    tokio::time::sleep(delay).await;
                    // Each command is an array (`*N`) of bulk strings; its first one names it.
                    let text = String::from_utf8_lossy(&chunk[..n]).into_owned();
                    let mut replies = String::new();
                    for command in text.split('*').skip(1) {
                        let name = command.split("\r\n").nth(2).unwrap_or("").to_ascii_uppercase();
                        replies.push_str(if name == "PING" { "+PONG\r\n" } else { "+OK\r\n" });
                    }
                    if stream.write_all(replies.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}
