//! The Redis backend: connecting, and every operation that does not block.
//!
//! One multiplexed connection carries the quick commands, with a 10 s response timeout so a dead
//! server is an error, not a hang. Blocking reads (`redis_wait.rs`) never use it: a blocking
//! command would stall every command queued behind it, and the client's default 500 ms response
//! timeout would cut the wait short. Each wait opens a dedicated connection whose response
//! timeout is the wait plus a margin.
//!
//! Writes that touch more than one key, or must not leave a key without its TTL, are atomic: a
//! `MULTI` pipeline (stream append + `PEXPIRE`) or a Lua script (report, lock release). All keys of
//! one script share a hash tag, so the scripts are valid on a Redis Cluster too.
//!
//! The bus never reconnects elsewhere: a connection error is returned to the caller. A task is
//! pinned to one server (see `resolve.rs`). A Redis Cluster counts as one server: the URL names
//! one of its nodes, `redis_conn.rs` detects cluster mode, and the waits on a cluster ride out a
//! failover within their deadline (`redis_wait.rs`).

use std::sync::Arc;
use std::time::Duration;

use redis::{Client, ErrorKind, RedisError, Script};

use super::error::{BusError, Result};
use super::keys;
use super::redis_conn::{Conn, Opener};
use super::redis_stream;
use super::resolve::redact;
use super::types::{LockToken, Report};

/// How long a non-blocking command may take before it is an error.
pub(crate) const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
/// Added to a blocking command's own timeout for its connection's response timeout.
pub(crate) const WAIT_MARGIN: Duration = Duration::from_secs(5);

/// Records a report unless the agent already reported for this iteration (first one wins); on a
/// new report, appends it to the iteration's index stream. Returns 1 if recorded, 0 if ignored.
const REPORT: &str = r"
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('XADD', KEYS[2], '*', 'agent', ARGV[3], 'report', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  return 1
end
return 0";

/// Deletes the lock only if it holds the caller's token, then wakes every waiter through the
/// release stream. Returns 1 if released, 0 if the caller does not hold the lock.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'released', '1')
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return 1
end
return 0";

/// A connection to one Redis server; cheap to clone (shared).
#[derive(Clone)]
pub struct RedisBus {
    inner: Arc<Inner>,
}

struct Inner {
    opener: Opener,
    conn: Conn,
    url: String,
}

impl RedisBus {
    /// Connects and logs in (`redis://[user:password@]host[:port][/db]`, or `rediss://` in a
    /// build with the `tls` feature). A refused login and an unreachable server are distinct
    /// errors; neither is retried.
    pub async fn connect(url: &str) -> Result<RedisBus> {
        let shown = redact(url);
        if url.starts_with("rediss://") {
            tls_ready()?;
        }
        let client =
            Client::open(url).map_err(|source| BusError::InvalidUrl { url: shown.clone(), source })?;
        let (opener, mut conn) =
            Opener::connect(client, RESPONSE_TIMEOUT).await.map_err(|e| classify(&shown, e))?;
        redis::cmd("PING").query_async::<()>(&mut conn).await.map_err(|e| classify(&shown, e))?;
        let conn = opener.shared(conn, RESPONSE_TIMEOUT);
        Ok(RedisBus { inner: Arc::new(Inner { opener, conn, url: shown }) })
    }

    /// As [`RedisBus::connect`], trying again (pauses of 50 ms doubling up to 1 s) while the
    /// server cannot be reached, until `window` has passed: for an agent of a run whose Redis
    /// is restarting when the agent starts or reports.
    pub async fn connect_within(url: &str, window: Duration) -> Result<RedisBus> {
        let deadline = tokio::time::Instant::now() + window;
        let mut pause = super::redis_conn::FIRST_PAUSE;
        loop {
            match RedisBus::connect(url).await {
                Err(err) if err.is_unreachable() && tokio::time::Instant::now() < deadline => {
                    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                    tokio::time::sleep(pause.min(left)).await;
                    pause = (pause * 2).min(super::redis_conn::LAST_PAUSE);
                }
                other => return other,
            }
        }
    }

    /// The server's URL, without the password.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// Whether the server is a Redis Cluster (detected when connecting).
    pub fn is_cluster(&self) -> bool {
        self.inner.opener.is_cluster()
    }

    /// A handle on the shared connection for one quick command.
    pub(super) fn conn(&self) -> Conn {
        self.inner.conn.clone()
    }

    /// A fresh connection for one blocking wait of at most `wait`.
    pub(super) async fn dedicated(&self, wait: Duration) -> Result<Conn> {
        self.inner
            .opener
            .open(wait.saturating_add(WAIT_MARGIN))
            .await
            .map_err(|e| classify(&self.inner.url, e))
    }

    pub(super) async fn context_store(
        &self,
        task: &str,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<()> {
        let key = keys::context(task, key)?;
        let ms = keys::ttl_ms("ttl", ttl)?;
        redis::cmd("SET")
            .arg(&key)
            .arg(value)
            .arg("PX")
            .arg(ms)
            .query_async::<()>(&mut self.conn())
            .await
            .map_err(BusError::redis("set"))
    }

    pub(super) async fn context_get(&self, task: &str, key: &str) -> Result<Option<String>> {
        let key = keys::context(task, key)?;
        redis::cmd("GET").arg(&key).query_async(&mut self.conn()).await.map_err(BusError::redis("get"))
    }

    /// Appends a signal to the channel's stream; returns its id.
    pub(super) async fn signal_send(&self, task: &str, channel: &str, payload: &str) -> Result<String> {
        let key = keys::signal(task, channel)?;
        self.append(&key, keys::SIGNAL_HISTORY, "payload", payload).await
    }

    pub(super) async fn agent_report(&self, task: &str, report: &Report) -> Result<bool> {
        let hash = keys::result(task, &report.agent)?;
        let index = keys::results_index(task, report.iteration)?;
        let recorded: i64 = Script::new(REPORT)
            .key(&hash)
            .key(&index)
            .arg(report.slot())
            .arg(report.to_json()?)
            .arg(&report.agent)
            .arg(keys::ttl_ms("ttl", keys::DEFAULT_TTL)?)
            .invoke_async(&mut self.conn())
            .await
            .map_err(BusError::redis("report"))?;
        Ok(recorded == 1)
    }

    pub(super) async fn lock_release(&self, resource: &str, token: &LockToken) -> Result<bool> {
        let released: i64 = Script::new(RELEASE)
            .key(keys::lock(resource)?)
            .key(keys::lock_released(resource)?)
            .arg(token.as_str())
            .arg(keys::ttl_ms("ttl", keys::DEFAULT_TTL)?)
            .arg(keys::RELEASE_HISTORY)
            .invoke_async(&mut self.conn())
            .await
            .map_err(BusError::redis("lock release"))?;
        Ok(released == 1)
    }

    pub(super) async fn publish_event(&self, task: &str, event: &serde_json::Value) -> Result<()> {
        let key = keys::events(task)?;
        self.append(&key, keys::EVENT_HISTORY, "event", &event.to_string()).await?;
        Ok(())
    }

    pub(super) async fn events(&self, task: &str) -> Result<Vec<serde_json::Value>> {
        let key = keys::events(task)?;
        let reply = redis::cmd("XRANGE")
            .arg(&key)
            .arg("-")
            .arg("+")
            .query_async(&mut self.conn())
            .await
            .map_err(BusError::redis("xrange"))?;
        redis_stream::entries(reply)?
            .iter()
            .map(|entry| {
                serde_json::from_str(entry.field("event")?)
                    .map_err(|e| BusError::malformed("event", e.to_string()))
            })
            .collect()
    }

    /// Appends `field=value` to a capped stream and renews its TTL, atomically.
    async fn append(&self, key: &str, cap: usize, field: &str, value: &str) -> Result<String> {
        let ttl = keys::ttl_ms("ttl", keys::DEFAULT_TTL)?;
        let (id,): (String,) = redis::pipe()
            .atomic()
            .cmd("XADD")
            .arg(key)
            .arg("MAXLEN")
            .arg("~")
            .arg(cap)
            .arg("*")
            .arg(field)
            .arg(value)
            .cmd("PEXPIRE")
            .arg(key)
            .arg(ttl)
            .ignore()
            .query_async(&mut self.conn())
            .await
            .map_err(BusError::redis("xadd"))?;
        Ok(id)
    }
}

/// Tells a refused login and a failed handshake (misconfigurations, never worked around) from
/// a server that cannot be reached (the only case a fallback may cover).
pub(super) fn classify(url: &str, source: RedisError) -> BusError {
    let url = url.to_string();
    let auth = source.kind() == ErrorKind::AuthenticationFailed
        || matches!(source.code(), Some("WRONGPASS" | "NOAUTH" | "NOPERM"));
    // std reports a failed name lookup only through its message.
    let no_such_host = source.kind() == ErrorKind::Io && source.to_string().contains("lookup address");
    if auth {
        BusError::Auth { url, source }
    } else if source.kind() == ErrorKind::Parse {
        BusError::NotRedis { url }
    } else if source.is_connection_refusal()
        || source.is_timeout()
        || source.is_connection_dropped()
        || no_such_host
    {
        BusError::Unreachable { url, source }
    } else {
        BusError::Connect { url, source }
    }
}

#[cfg(feature = "tls")]
fn tls_ready() -> Result<()> {
    // rustls needs a process-wide crypto provider; a second install is refused, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(())
}

#[cfg(not(feature = "tls"))]
fn tls_ready() -> Result<()> {
    Err(BusError::TlsNotBuilt)
}
