//! The coordination bus: how agents and the loop orchestrator talk (DESIGN.md §8).
//!
//! [`Bus`] is either a Redis server ([`RedisBus`]) or an SQLite file for single-machine runs
//! ([`EmbeddedBus`]); both give the same guarantees, and the tests run every behaviour on both:
//!
//! - **Signals are broadcasts and are never lost.** A signal is an entry appended to the
//!   channel's stream; reading does not consume it. Every waiter wakes on one send, and a wait
//!   that begins after the send finds it at once. A wait that runs out returns `Ok(None)` (the
//!   CLI's exit 124), never success; a broken connection is an error, never a timeout.
//! - **Reports are idempotent and collection is non-destructive.** The first report into a slot
//!   (an agent's iteration, plus the key id of the token that signed it, see [`Report::slot`])
//!   is kept and a later one is ignored (`agent_report` returns `false`), so it counts once; a
//!   report signed with another token cannot take the slot of the agent's own.
//!   `results_collect` blocks until `ceil(expected × threshold)` distinct agents have reported
//!   and can be repeated with the same result.
//! - **Locks are token locks.** Only the holder's token releases a lock; a lock always has a TTL.
//! - **Values are bounded** by [`limits`] (1 MiB unless `CFN_MAX_PAYLOAD` says otherwise).
//! - **Every key has a TTL** ([`keys::DEFAULT_TTL`] unless given) and every key is built in
//!   [`keys`], with the task id as a hash tag.
//!
//! Which bus to use is decided by [`resolve`]; a task stays on the server it started on. The
//! backends' operations are reachable only through [`Bus`], which checks the waits' bounds once.

mod embedded;
mod embedded_ops;
mod error;
pub mod keys;
mod latency;
pub mod limits;
mod redis_bus;
pub mod redis_conn;
mod redis_stream;
mod redis_wait;
mod resolve;
mod types;

#[cfg(test)]
mod tests;

use std::time::Duration;

/// Names the embedded bus file a loop run pins its agents to.
pub const BUS_PATH_VAR: &str = "CFN_BUS_PATH";
pub use embedded::{EmbeddedBus, POLL_INTERVAL};
pub use error::{BusError, Result};
pub use latency::{measure_signal_latency, percentile};
pub use redis_bus::RedisBus;
pub use resolve::{
    connect_with_fallback, has_password, redact, resolve, with_password, BusChoice, BusSource, BusTarget,
    Connected,
};
use types::check_wait;
pub use types::{needed, Collected, LockToken, Report, Signal, Status, MAX_WAIT};

/// The bus a command talks to.
#[derive(Clone)]
pub enum Bus {
    Redis(RedisBus),
    Embedded(EmbeddedBus),
}

/// Calls the same method on whichever backend this is.
macro_rules! dispatch {
    ($self:ident, $bus:ident => $call:expr) => {
        match $self {
            Bus::Redis($bus) => $call,
            Bus::Embedded($bus) => $call,
        }
    };
}

impl Bus {
    /// Opens the bus `choice` names.
    pub async fn open(choice: &BusChoice) -> Result<Bus> {
        match &choice.target {
            // An agent of a loop run is given CFN_BUS_RECONNECT: its report must reach a Redis
            // that is restarting just then. Other commands fail at once on a server that is down.
            BusTarget::Redis(url) if std::env::var_os(redis_conn::RECONNECT_VAR).is_some() => {
                Ok(Bus::Redis(RedisBus::connect_within(url, redis_conn::reconnect_window()).await?))
            }
            BusTarget::Redis(url) => Ok(Bus::Redis(RedisBus::connect(url).await?)),
            BusTarget::Embedded(path) => Ok(Bus::Embedded(EmbeddedBus::open(path).await?)),
        }
    }

    /// One line saying which bus this is, for the user (no password).
    pub fn describe(&self) -> String {
        match self {
            Bus::Redis(bus) => format!("redis at {}", bus.url()),
            Bus::Embedded(bus) => format!("embedded bus at {}", bus.path().display()),
        }
    }

    /// Stores a context value for `ttl` (default [`keys::DEFAULT_TTL`]), replacing any other.
    pub async fn context_store(
        &self,
        task: &str,
        key: &str,
        value: &str,
        ttl: Option<Duration>,
    ) -> Result<()> {
        let ttl = ttl.unwrap_or(keys::DEFAULT_TTL);
        limits::check("context value", value.len())?;
        dispatch!(self, bus => bus.context_store(task, key, value, ttl).await)
    }

    pub async fn context_get(&self, task: &str, key: &str) -> Result<Option<String>> {
        dispatch!(self, bus => bus.context_get(task, key).await)
    }

    /// Sends a signal to every present and future waiter of the channel; returns its id.
    pub async fn signal_send(&self, task: &str, channel: &str, payload: &str) -> Result<String> {
        limits::check("signal payload", payload.len())?;
        dispatch!(self, bus => bus.signal_send(task, channel, payload).await)
    }

    /// The channel's newest signal if one was ever sent (within its TTL), else the first one
    /// sent before `timeout`; `None` when the time ran out.
    pub async fn signal_wait(&self, task: &str, channel: &str, timeout: Duration) -> Result<Option<String>> {
        check_wait("timeout", timeout)?;
        dispatch!(self, bus => bus.signal_wait(task, channel, timeout).await)
    }

    /// The first signal after the one whose id is `after` (`"0"`: from the start), waiting up to
    /// `timeout`. For channels signalled more than once (one signal per iteration).
    pub async fn signal_next(
        &self,
        task: &str,
        channel: &str,
        after: &str,
        timeout: Duration,
    ) -> Result<Option<Signal>> {
        check_wait("timeout", timeout)?;
        dispatch!(self, bus => bus.signal_next(task, channel, after, timeout).await)
    }

    /// Records an agent's report for an iteration. Returns `false`, and changes nothing, when the
    /// agent already reported for that iteration: the first report wins.
    pub async fn agent_report(
        &self,
        task: &str,
        agent: &str,
        iteration: u32,
        confidence: f64,
        status: Status,
        payload: Option<serde_json::Value>,
    ) -> Result<bool> {
        keys::check("agent id", agent)?;
        let report = Report::new(agent, iteration, confidence, status, payload)?;
        self.put_report(task, &report).await
    }

    /// Records a report built (and signed) by the caller; the first report into its slot wins
    /// (see [`Report::slot`]).
    pub async fn put_report(&self, task: &str, report: &Report) -> Result<bool> {
        keys::check("agent id", &report.agent)?;
        limits::check("report", report.to_json()?.len())?;
        dispatch!(self, bus => bus.agent_report(task, report).await)
    }

    /// Every report recorded for `iteration`, in arrival order, several per agent id possible
    /// (one per slot): the loop checks each one's proof itself.
    pub async fn iteration_reports(&self, task: &str, iteration: u32) -> Result<Vec<Report>> {
        dispatch!(self, bus => bus.iteration_reports(task, iteration).await)
    }

    /// Waits until `ceil(expected × threshold)` distinct agents reported for `iteration` or
    /// `timeout` passed (`complete: false`); reads without consuming.
    pub async fn results_collect(
        &self,
        task: &str,
        iteration: u32,
        expected: usize,
        threshold: f64,
        timeout: Duration,
    ) -> Result<Collected> {
        check_wait("timeout", timeout)?;
        dispatch!(self, bus => bus.results_collect(task, iteration, expected, threshold, timeout).await)
    }

    /// Takes the lock for `ttl`, waiting up to `wait` for its holder to release it or for it to
    /// expire; `None` if it stayed taken.
    pub async fn lock_acquire(
        &self,
        resource: &str,
        ttl: Duration,
        wait: Duration,
    ) -> Result<Option<LockToken>> {
        check_wait("lock wait", wait)?;
        dispatch!(self, bus => bus.lock_acquire(resource, ttl, wait).await)
    }

    /// Releases the lock if `token` holds it; `false` (nothing changed) for anyone else.
    pub async fn lock_release(&self, resource: &str, token: &LockToken) -> Result<bool> {
        dispatch!(self, bus => bus.lock_release(resource, token).await)
    }

    /// Appends an event to the task's capped event stream.
    pub async fn publish_event(&self, task: &str, event: &serde_json::Value) -> Result<()> {
        dispatch!(self, bus => bus.publish_event(task, event).await)
    }

    /// The task's events, oldest first.
    pub async fn events(&self, task: &str) -> Result<Vec<serde_json::Value>> {
        dispatch!(self, bus => bus.events(task).await)
    }
}
