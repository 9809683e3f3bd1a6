//! The Redis backend's blocking operations, all built on one primitive: `XREAD BLOCK` from an
//! explicit cursor, on a dedicated connection.
//!
//! Why this has no lost wakeup: `XREAD ... STREAMS key <id>` returns at once if the stream holds
//! any entry newer than `<id>`, and otherwise blocks until one is appended; the check and the
//! block are one atomic command on the server. A waiter never reads "nothing yet" in one command
//! and then starts listening in another (which is the race of read-then-subscribe). It is a
//! broadcast: a stream entry is not consumed by reading it, so every blocked reader wakes on one
//! `XADD` and every later reader still sees it.
//!
//! - `signal_wait` returns the newest signal if there is one, else blocks from cursor `0-0`.
//! - `signal_next` blocks from the caller's cursor (the id of the last signal it saw).
//! - `results_collect` reads the iteration's index stream from `0-0` and keeps blocking from the
//!   last id read until enough distinct agents are in. Reading never removes anything.
//! - `lock_acquire` notes the release stream's last id *before* trying `SET NX`, then blocks from
//!   that id, so a release between the attempt and the block still wakes it. Expiry appends
//!   nothing, so the block is also capped at the lock's remaining `PTTL`.
//!
//! On a Redis Cluster the wait's connection is a cluster connection: `XREAD` goes to the primary
//! owning the key's slot, and `MOVED`/`ASK` are followed by the client. When that primary dies
//! mid-wait, the read fails; [`RedisBus::block_read`] then opens a new connection after a pause
//! (50 ms, doubling up to 1 s) and blocks again from the same cursor until the deadline, so the
//! replica promoted in its place serves the rest of the wait and no entry is skipped. A single
//! server that restarts is waited for the same way: with its data persisted (`appendonly`), the
//! entries appended before it stopped are still there, and the cursor finds every one after.

use std::collections::HashSet;
use std::time::Duration;

use tokio::time::Instant;

use super::error::{BusError, Result};
use super::keys;
use super::redis_bus::RedisBus;
use super::redis_conn::{is_transient, Conn};
use super::redis_stream::{self, check_id, last, xread, Entry};
use super::types::{needed, Collected, LockToken, Report, Signal};

impl RedisBus {
    pub(super) async fn signal_wait(
        &self,
        task: &str,
        channel: &str,
        timeout: Duration,
    ) -> Result<Option<String>> {
        let key = keys::signal(task, channel)?;
        if let Some(latest) = last(&mut self.conn(), &key).await? {
            return Ok(Some(latest.field("payload")?.to_string()));
        }
        if timeout.is_zero() {
            return Ok(None);
        }
        let deadline = Instant::now() + timeout;
        let first = self.block_read(&mut None, &key, "0-0", deadline, Some(1)).await?;
        match first.first() {
            Some(entry) => Ok(Some(entry.field("payload")?.to_string())),
            None => Ok(None),
        }
    }

    pub(super) async fn signal_next(
        &self,
        task: &str,
        channel: &str,
        after: &str,
        timeout: Duration,
    ) -> Result<Option<Signal>> {
        let key = keys::signal(task, channel)?;
        check_id(after)?;
        let mut found = xread(&mut self.conn(), &key, after, None, Some(1)).await?;
        if found.is_empty() && !timeout.is_zero() {
            let deadline = Instant::now() + timeout;
            found = self.block_read(&mut None, &key, after, deadline, Some(1)).await?;
        }
        match found.into_iter().next() {
            Some(entry) => Ok(Some(Signal { payload: entry.field("payload")?.to_string(), id: entry.id })),
            None => Ok(None),
        }
    }

    pub(super) async fn results_collect(
        &self,
        task: &str,
        iteration: u32,
        expected: usize,
        threshold: f64,
        timeout: Duration,
    ) -> Result<Collected> {
        let key = keys::results_index(task, iteration)?;
        let needed = needed(expected, threshold)?;
        let deadline = Instant::now() + timeout;
        let mut got = Gathered::default();
        got.absorb(xread(&mut self.conn(), &key, "0-0", None, None).await?)?;
        let mut conn = None;
        while got.reports.len() < needed {
            if Instant::now() >= deadline {
                break;
            }
            let cursor = got.cursor.clone();
            got.absorb(self.block_read(&mut conn, &key, &cursor, deadline, None).await?)?;
        }
        Ok(Collected::new(got.reports, needed))
    }

    pub(super) async fn iteration_reports(&self, task: &str, iteration: u32) -> Result<Vec<Report>> {
        let key = keys::results_index(task, iteration)?;
        xread(&mut self.conn(), &key, "0-0", None, None)
            .await?
            .iter()
            .map(|entry| Report::from_json(entry.field("report")?))
            .collect()
    }

    pub(super) async fn lock_acquire(
        &self,
        resource: &str,
        ttl: Duration,
        wait: Duration,
    ) -> Result<Option<LockToken>> {
        let lock = keys::lock(resource)?;
        let released = keys::lock_released(resource)?;
        let ttl_ms = keys::ttl_ms("lock ttl", ttl)?;
        let token = LockToken::random()?;
        let deadline = Instant::now() + wait;
        let mut conn = None;
        let mut pause = FIRST_PAUSE;
        let mut failed = false;
        loop {
            let attempt = self.lock_attempt(&lock, &released, &token, ttl_ms, failed).await;
            let remaining = deadline.saturating_duration_since(Instant::now());
            let (cursor, pttl) = match attempt {
                Ok(Attempt::Taken) => return Ok(Some(token)),
                Ok(Attempt::Held { cursor, pttl }) => (cursor, pttl),
                // On a cluster, the slot's primary may be failing over: try again until the
                // deadline, as a blocked read does.
                Err(err) if retry_on_cluster(&err) && !remaining.is_zero() => {
                    failed = true;
                    tokio::time::sleep(pause.min(remaining)).await;
                    pause = (pause * 2).min(LAST_PAUSE);
                    continue;
                }
                Err(err) => return Err(err),
            };
            if remaining.is_zero() {
                return Ok(None);
            }
            // -2: gone already, try again now; -1: a lock without TTL, only a release frees it.
            let block = match pttl {
                -2 => continue,
                ms if ms > 0 => remaining.min(Duration::from_millis(ms.unsigned_abs())),
                _ => remaining,
            };
            self.block_read(&mut conn, &released, &cursor, Instant::now() + block, Some(1)).await?;
        }
    }

    /// One try at the lock: the release stream's last id (noted first, so a release after the
    /// try still wakes the wait), then `SET NX`; when taken by another, its remaining `PTTL`.
    /// After a failed try (`after_error`) the lock may be ours already (the `SET` was applied but
    /// its answer lost), so the holder's token is compared first.
    async fn lock_attempt(
        &self,
        lock: &str,
        released: &str,
        token: &LockToken,
        ttl_ms: u64,
        after_error: bool,
    ) -> Result<Attempt> {
        let cursor = match last(&mut self.conn(), released).await? {
            Some(entry) => entry.id,
            None => "0-0".to_string(),
        };
        if after_error {
            let holder: Option<String> = redis::cmd("GET")
                .arg(lock)
                .query_async(&mut self.conn())
                .await
                .map_err(BusError::redis("get"))?;
            if holder.as_deref() == Some(token.as_str()) {
                return Ok(Attempt::Taken);
            }
        }
        let set: Option<String> = redis::cmd("SET")
            .arg(lock)
            .arg(token.as_str())
            .arg("NX")
            .arg("PX")
            .arg(ttl_ms)
            .query_async(&mut self.conn())
            .await
            .map_err(BusError::redis("lock acquire"))?;
        if set.is_some() {
            return Ok(Attempt::Taken);
        }
        let pttl: i64 = redis::cmd("PTTL")
            .arg(lock)
            .query_async(&mut self.conn())
            .await
            .map_err(BusError::redis("pttl"))?;
        Ok(Attempt::Held { cursor, pttl })
    }

    /// Blocks on `key` from `cursor` until an entry comes or `deadline` passes (empty list), on
    /// the wait's own connection `conn` (opened on first use). On a cluster, a read that fails
    /// because the slot's node died or moved is sent again, after a pause, on a new connection
    /// until the deadline; the cursor makes the repeat skip nothing.
    pub(super) async fn block_read(
        &self,
        conn: &mut Option<Conn>,
        key: &str,
        cursor: &str,
        deadline: Instant,
        count: Option<usize>,
    ) -> Result<Vec<Entry>> {
        let mut pause = FIRST_PAUSE;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Ok(Vec::new());
            }
            let read = async {
                match conn {
                    Some(open) => xread(open, key, cursor, Some(remaining), count).await,
                    None => match self.dedicated(remaining).await {
                        Ok(open) => xread(conn.insert(open), key, cursor, Some(remaining), count).await,
                        Err(err) => Err(err),
                    },
                }
            };
            let read = if self.is_cluster() {
                // The cluster client may resend a read that failed over with its first `BLOCK`
                // time; the deadline is ours, so the read is cut there.
                match tokio::time::timeout(remaining + CLUSTER_GRACE, read).await {
                    Ok(read) => read,
                    Err(_) => {
                        *conn = None;
                        return Ok(Vec::new());
                    }
                }
            } else {
                read.await
            };
            match read {
                Err(err) if retry_on_cluster(&err) => {
                    *conn = None;
                    let left = deadline.saturating_duration_since(Instant::now());
                    tokio::time::sleep(pause.min(left)).await;
                    pause = (pause * 2).min(LAST_PAUSE);
                }
                other => return other,
            }
        }
    }
}

use super::redis_conn::{FIRST_PAUSE, LAST_PAUSE};
/// How long past its deadline a wait on a cluster may take to hear the server's own timeout.
const CLUSTER_GRACE: Duration = Duration::from_millis(500);

/// Whether a failed wait on a cluster is worth repeating: the node went away or the slot moved.
fn retry_on_cluster(err: &BusError) -> bool {
    match err {
        BusError::Redis { source, .. }
        | BusError::Unreachable { source, .. }
        | BusError::Connect { source, .. } => is_transient(source),
        _ => false,
    }
}

/// What one try at a lock found.
enum Attempt {
    Taken,
    /// Held by another: the release stream's id before the try, and the lock's `PTTL`.
    Held {
        cursor: String,
        pttl: i64,
    },
}

/// Reports read so far from an index stream, one per distinct agent, and the last id read.
struct Gathered {
    reports: Vec<Report>,
    agents: HashSet<String>,
    cursor: String,
}

impl Default for Gathered {
    fn default() -> Gathered {
        Gathered { reports: Vec::new(), agents: HashSet::new(), cursor: "0-0".to_string() }
    }
}

impl Gathered {
    fn absorb(&mut self, entries: Vec<redis_stream::Entry>) -> Result<()> {
        for entry in entries {
            let report = Report::from_json(entry.field("report")?)?;
            if self.agents.insert(report.agent.clone()) {
                self.reports.push(report);
            }
            self.cursor = entry.id;
        }
        Ok(())
    }
}
