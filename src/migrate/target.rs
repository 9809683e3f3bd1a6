//! What the engine needs from a database: a migrator lock, the bookkeeping rows, and applying
//! or reverting one migration at a time.
//!
//! A target guarantees that `apply` and `revert` are each all-or-nothing for a wrapped script
//! (see [`super::script`]): the script and its bookkeeping row commit together or not at all.
//! `lock` excludes other migrators, in other processes too, until `unlock`, and gives up with
//! [`MigrateError::LockTimeout`] rather than waiting forever. SQLite implements it in
//! [`super::sqlite`]; a PostgreSQL target would use `pg_advisory_lock` with a `lock_timeout`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::error::MigrateError;
use super::source::Migration;

/// The database side of the engine. Object safe: the engine drives a `&mut dyn Target`.
pub trait Target {
    /// Takes the migrator lock, waiting up to the target's timeout for another migrator.
    fn lock(&mut self) -> Result<(), MigrateError>;
    /// Releases the migrator lock; a no-op when it is not held.
    fn unlock(&mut self) -> Result<(), MigrateError>;
    /// Every recorded migration, ordered by version. An unmigrated database has none.
    fn applied(&mut self) -> Result<Vec<Applied>, MigrateError>;
    /// Runs `m.up` and records it (with `m.down`) in one transaction.
    fn apply(&mut self, m: &Migration) -> Result<Applied, MigrateError>;
    /// Runs `a.down` and deletes the record of `a.version` in one transaction.
    fn revert(&mut self, a: &Applied) -> Result<(), MigrateError>;
}

/// One row of the bookkeeping table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub version: i64,
    pub name: String,
    pub checksum: String,
    /// RFC 3339, UTC, whole seconds: `2026-11-03T14:05:09Z`.
    pub applied_at: String,
    pub duration_ms: i64,
    /// The down script as it was when the migration was applied.
    #[serde(skip)]
    pub down: Option<String>,
}

impl Applied {
    /// The record of `m`, applied now after running since `started`.
    pub fn now(m: &super::source::Migration, started: std::time::Instant) -> Applied {
        Applied {
            version: m.version,
            name: m.name.clone(),
            checksum: m.checksum.clone(),
            applied_at: now_rfc3339(),
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            down: m.down.clone(),
        }
    }
}

/// The current time as RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    rfc3339(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC (proleptic Gregorian calendar).
pub fn rfc3339(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
