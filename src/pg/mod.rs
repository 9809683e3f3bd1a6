//! The PostgreSQL migration target: a branch's PostgreSQL database driven by
//! [`crate::migrate`], with the guarantees of the SQLite target (see [`crate::migrate::target`]).
//!
//! # Runtimes
//!
//! The engine is synchronous and tokio-postgres is not, so a [`PgTarget`] owns a private
//! current-thread tokio runtime, built by [`PgTarget::connect`], which drives the connection
//! and every call. Each `Target` method blocks on it. That works from any synchronous code,
//! with or without a runtime elsewhere in the process. Called from inside a tokio runtime
//! (where blocking on another runtime would panic), the call runs on a scoped helper thread
//! and the caller's thread waits for it: it still blocks that thread, so async code should
//! call the engine through `spawn_blocking`. Dropping a target never blocks or panics, in a
//! runtime or not: its runtime is shut down in the background and the server ends the
//! session, releasing any advisory lock it held.
//!
//! # Locking
//!
//! Two layers, as for SQLite:
//!
//! 1. `lock` takes the session-level advisory lock [`PgTarget::lock_key`] for the whole run.
//!    `lock_timeout` does not apply to advisory locks, so it polls `pg_try_advisory_lock`
//!    with a backoff from 10 ms to 250 ms until the target's lock timeout (60 s by default)
//!    has passed, then fails with [`MigrateError::LockTimeout`].
//! 2. Each apply and revert transaction first takes the transaction-level advisory lock
//!    [`PgTarget::apply_key`] (`pg_advisory_xact_lock`, released at commit or rollback), then
//!    re-reads the migration's row: a migrator that bypassed the session lock waits for the
//!    transaction in progress and then finds the row, so a wrapped migration still runs once.
//!
//! Bookkeeping lives in `cfn_schema_migrations` (the SQLite table's columns, as `BIGINT` and
//! `TEXT`) in the connection's default schema, created on the first apply.

mod target;

#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::runtime::{Builder, Runtime};
use tokio_postgres::{Client, NoTls};

use crate::health::redact_url;
use crate::migrate::MigrateError;

/// The bookkeeping table, also the seed of the advisory lock keys.
pub const TABLE: &str = "cfn_schema_migrations";

pub struct PgTarget {
    client: Client,
    /// `Some` until the target is dropped.
    runtime: Option<Runtime>,
    lock_timeout: Duration,
    locked: bool,
    /// The connection string with its password hidden, for messages.
    shown: String,
}

impl PgTarget {
    pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);
    /// Used when the connection string sets no `connect_timeout`.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

    /// Connects to `url` (a `postgres://` URL or a key/value connection string), without TLS.
    pub fn connect(url: &str) -> Result<PgTarget, MigrateError> {
        let shown = redact_url(url);
        let action = format!("connecting to {shown}");
        let fail = |e: tokio_postgres::Error| MigrateError::database(&action, e);
        let mut config: tokio_postgres::Config = url.parse().map_err(fail)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Self::DEFAULT_CONNECT_TIMEOUT);
        }
        let runtime = Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| MigrateError::database("starting the postgresql client runtime", e))?;
        let (client, connection) = match crate::runtime::wait_on(&runtime, config.connect(NoTls)) {
            Ok(connected) => connected,
            Err(e) => {
                // Dropped here, inside the command's runtime, it would panic: let it go quietly.
                runtime.shutdown_background();
                return Err(fail(e));
            }
        };
        // Runs whenever a call blocks on the runtime; ends when the client is dropped.
        runtime.spawn(async move {
            let _ = connection.await;
        });
        let lock_timeout = Self::DEFAULT_LOCK_TIMEOUT;
        Ok(PgTarget { client, runtime: Some(runtime), lock_timeout, locked: false, shown })
    }

    /// How long `lock` waits for another migrator before failing (tests shorten it).
    #[cfg(test)]
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The key of the session-level migrator lock: the first 8 bytes of the SHA-256 of
    /// `cfn:lock:cfn_schema_migrations`, big-endian.
    pub fn lock_key() -> i64 {
        key(&format!("cfn:lock:{TABLE}"))
    }

    /// The key of the transaction-level lock every apply and revert takes.
    pub fn apply_key() -> i64 {
        key(&format!("cfn:apply:{TABLE}"))
    }
}

/// Runs `work` on a target's runtime (see the module documentation). Takes the runtime, not
/// the target, so that `work` can borrow the client mutably.
fn block<F>(runtime: &Option<Runtime>, work: F) -> Result<F::Output, MigrateError>
where
    F: Future + Send,
    F::Output: Send,
{
    match runtime {
        Some(runtime) => Ok(crate::runtime::wait_on(runtime, work)),
        None => Err(MigrateError::database("using the connection", "the postgresql target is closed")),
    }
}

fn key(seed: &str) -> i64 {
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

impl Drop for PgTarget {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgTarget")
            .field("url", &self.shown)
            .field("lock_timeout", &self.lock_timeout)
            .field("locked", &self.locked)
            .finish_non_exhaustive()
    }
}
