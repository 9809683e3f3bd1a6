//! The network and database probes: `tcp`, `http`, `redis`, `postgres` and `sqlite`.
//!
//! A probe returns what it found (`Ok("PONG")`) or why it failed (`Err("connection
//! refused")`); [`super::run_check`] adds the timing, bounds it with the check's timeout and
//! scrubs passwords. Drivers get the check's timeout too (redis: connection and response
//! timeouts, replacing the crate's 500 ms default; postgres: the connect timeout; sqlite: the
//! busy timeout), so they never give up before the check does. Driver messages are turned
//! into one lower-case line: the error and its causes joined by `: `, without `(os error N)`.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Duration;

use redis::AsyncConnectionConfig;
use rusqlite::{Connection, OpenFlags};
use tokio::net::TcpStream;
use tokio_postgres::NoTls;

use super::{http, CheckKind};

pub(crate) type Outcome = Result<String, String>;

/// Runs the probe of every kind but `command`, without a timeout of its own.
pub(crate) async fn probe(kind: &CheckKind, timeout: Duration) -> Outcome {
    match kind {
        CheckKind::Tcp { host, port } => tcp(host, *port).await,
        CheckKind::Http { url, expect_status } => http::probe(url, *expect_status).await,
        CheckKind::Redis { url } => redis_ping(url, timeout).await,
        CheckKind::Postgres { url } => postgres(url, timeout).await,
        CheckKind::Sqlite { path } => sqlite(path, timeout).await,
        CheckKind::Command { .. } => Err("a command check has no network probe".to_string()),
    }
}

async fn tcp(host: &str, port: u16) -> Outcome {
    TcpStream::connect((host, port)).await.map_err(|e| error_line(&e))?;
    Ok(format!("connected to {host}:{port}"))
}

async fn redis_ping(url: &str, timeout: Duration) -> Outcome {
    if url.starts_with("rediss://") {
        return Err("rediss:// (redis over tls) is not supported by this build of cfn".to_string());
    }
    let client = redis::Client::open(url).map_err(|e| format!("invalid redis url: {}", error_line(&e)))?;
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout));
    let mut conn = client.get_multiplexed_async_connection_with_config(&config).await.map_err(redis_line)?;
    let reply: String = redis::cmd("PING").query_async(&mut conn).await.map_err(redis_line)?;
    if reply == "PONG" {
        Ok(reply)
    } else {
        Err(format!("unexpected reply to PING: {reply}"))
    }
}

/// A redis error without the crate's `- KindName` tags and quotes: "NOAUTH: authentication
/// required", "password authentication failed".
fn redis_line(error: redis::RedisError) -> String {
    // The reply of another kind of server (HTTP, PostgreSQL) is garbage to the parser; saying
    // what it means beats quoting the parser.
    if error.kind() == redis::ErrorKind::Parse {
        return "not a redis server (it answered in another protocol); check the port".to_string();
    }
    let line = error_line(&error);
    let mut parts = line.split(" - ");
    let mut out = parts.next().unwrap_or("").replace('"', "");
    for tagged in parts {
        let is_tag = |c: char| c.is_ascii_alphanumeric() || matches!(c, '(' | ')' | '_');
        let detail = tagged.trim_start_matches(is_tag).trim_start_matches(':').trim();
        if !detail.is_empty() {
            out = format!("{out}: {detail}");
        }
    }
    let out = out.trim_end_matches('.');
    match out.split_once(": ") {
        Some((code, detail)) if code.chars().all(|c| c.is_ascii_uppercase()) => {
            format!("{code}: {}", clean(detail))
        }
        _ => clean(out),
    }
}

async fn postgres(url: &str, timeout: Duration) -> Outcome {
    let mut config: tokio_postgres::Config =
        url.parse().map_err(|e| format!("invalid postgres url: {}", error_line(&e)))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(timeout);
    }
    let (client, connection) = config.connect(NoTls).await.map_err(|e| error_line(&e))?;
    let mut connection = std::pin::pin!(connection);
    let outcome = tokio::select! {
        rows = client.simple_query("SELECT 1") => match rows {
            Ok(_) => Ok("SELECT 1".to_string()),
            Err(e) => Err(error_line(&e)),
        },
        ended = &mut connection => Err(match ended {
            Ok(()) => "the server closed the connection".to_string(),
            Err(e) => error_line(&e),
        }),
    };
    // Without its client the connection says goodbye to the server and ends.
    drop(client);
    let _ = tokio::time::timeout(Duration::from_millis(200), connection).await;
    outcome
}

async fn sqlite(path: &Path, timeout: Duration) -> Outcome {
    let path: PathBuf = path.to_path_buf();
    let task = tokio::task::spawn_blocking(move || {
        if !path.exists() {
            return Err(format!("{} does not exist", path.display()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| error_line(&e))?;
        conn.busy_timeout(timeout).map_err(|e| error_line(&e))?;
        // Reading the schema makes a file that is not a database fail here.
        let tables: rusqlite::Result<i64> =
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
        tables.map_err(|e| error_line(&e))?;
        let one: i64 = conn.query_row("SELECT 1", [], |r| r.get(0)).map_err(|e| error_line(&e))?;
        Ok(format!("SELECT {one}"))
    });
    task.await.map_err(|_| "the sqlite check stopped unexpectedly".to_string())?
}

/// An error and its causes as one lower-case line: "error connecting to server: connection
/// refused". A cause already contained in the line before it is left out.
pub(crate) fn error_line(error: &dyn Error) -> String {
    let mut line = clean(&error.to_string());
    let mut source = error.source();
    while let Some(cause) = source {
        let text = clean(&cause.to_string());
        if !text.is_empty() && !line.contains(&text) {
            line = format!("{line}: {text}");
        }
        source = cause.source();
    }
    line
}

/// One trimmed line, lower-case first letter, no "(os error N)".
fn clean(text: &str) -> String {
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(at) = text.find(" (os error ") {
        if let Some(end) = text[at..].find(')') {
            text.replace_range(at..at + end + 1, "");
        }
    }
    let mut chars = text.chars();
    match chars.next() {
        // Keep acronyms ("NOAUTH", "WRONGPASS", "FATAL") as they are.
        Some(first) if chars.next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(text[first.len_utf8()..].chars()).collect()
        }
        _ => text,
    }
}
