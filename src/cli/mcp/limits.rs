//! Bounds on what one tool call may ask: a call never blocks the server for long.

use crate::error::UserError;
use anyhow::Result;
use std::time::Duration;

/// The most seconds a call waits on the bus (signals, results, locks).
pub const MAX_WAIT_SECS: f64 = 300.0;

/// `secs` as a Duration: a number of seconds from 0 to `max`.
pub fn seconds_within(what: &str, secs: f64, max: f64) -> Result<Duration> {
    let duration = crate::cli::commands::bus_args::seconds(secs)?;
    if secs > max {
        return Err(UserError::usage(format!("{what} {secs}s is over the limit of {max}s for one call"))
            .hint("call again to wait longer")
            .into());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_from_zero_to_the_limit() {
        assert_eq!(seconds_within("timeout", 0.0, 300.0).unwrap(), Duration::ZERO);
        assert_eq!(seconds_within("timeout", 300.0, 300.0).unwrap(), Duration::from_secs(300));
        assert_eq!(seconds_within("timeout", 0.5, 300.0).unwrap(), Duration::from_millis(500));
        for bad in [-1.0, 300.5, f64::NAN, f64::INFINITY] {
            let err = seconds_within("timeout", bad, 300.0).unwrap_err();
            let user = err.downcast_ref::<UserError>().expect("a user error");
            assert_eq!(user.code, crate::error::exit::USAGE, "{bad}: {err}");
            assert!(user.hint.is_some());
        }
    }
}
