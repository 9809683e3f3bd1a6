//! Bounds on what one tool call may ask: a call never blocks the server for long.

use crate::error::UserError;
use anyhow::Result;
use std::time::Duration;

/// The most seconds a call waits on the bus (signals, results, locks).
pub const MAX_WAIT_SECS: f64 = 300.0;

/// The least a request line may hold: 16 MiB, what MCP clients commonly accept over HTTP.
pub const MIN_LINE_BYTES: usize = 16 << 20;

/// The longest request line the server reads: 16 MiB, or more when `CFN_MAX_PAYLOAD` is set
/// high, so that every value the bus accepts fits in a request even with each byte escaped
/// (`\u0000` is 6 bytes) plus 1 MiB for the rest of the request. A longer line is refused.
pub fn max_line_bytes() -> usize {
    let payload = crate::bus::limits::max_payload().unwrap_or(crate::bus::limits::DEFAULT_MAX_PAYLOAD);
    payload.saturating_mul(6).saturating_add(1 << 20).max(MIN_LINE_BYTES)
}

/// How many tool calls and resource reads run at once; more are refused at once with a tool
/// error, so that a flood of waits cannot take every thread and the server keeps answering.
pub const MAX_CALLS_IN_FLIGHT: usize = 64;

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
