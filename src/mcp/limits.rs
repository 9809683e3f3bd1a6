//! Bounds on what one tool call may ask: a call never blocks the server for long.

use crate::error::UserError;
use anyhow::Result;
use std::time::Duration;

/// The most seconds a call waits on the bus (signals, results, locks).
pub const MAX_WAIT_SECS: f64 = 300.0;

/// `secs` as a Duration: a number of seconds from 0 to `max`.
pub fn seconds_within(what: &str, secs: f64, max: f64) -> Result<Duration> {
    let duration = crate::commands::bus_args::seconds(secs)?;
    if secs > max {
        return Err(UserError::usage(format!("{what} {secs}s is over the limit of {max}s for one call"))
            .hint("call again to wait longer")
            .into());
    }
    Ok(duration)
}
