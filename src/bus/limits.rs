//! How much one value on the bus may hold: a context value, a signal payload, an agent's report.
//!
//! Without a limit one agent could fill the disk and the orchestrator's memory with a single
//! report. The limit is [`DEFAULT_MAX_PAYLOAD`] (1 MiB) unless `CFN_MAX_PAYLOAD` says otherwise
//! (bytes, or with a `k`, `m` or `g` suffix); a loop hands its value to its agents.

use super::error::{BusError, Result};

/// The limit when `CFN_MAX_PAYLOAD` is unset.
pub const DEFAULT_MAX_PAYLOAD: usize = 1 << 20;
/// The variable that changes it.
pub const MAX_PAYLOAD_VAR: &str = "CFN_MAX_PAYLOAD";

/// The limit in bytes, from `CFN_MAX_PAYLOAD` or the default.
pub fn max_payload() -> Result<usize> {
    match std::env::var(MAX_PAYLOAD_VAR) {
        Ok(text) if !text.trim().is_empty() => {
            parse_size(&text).and_then(|n| usize::try_from(n).ok().filter(|n| *n > 0)).ok_or_else(|| {
                BusError::invalid("CFN_MAX_PAYLOAD", format!("{text:?} is not a size like 1048576 or 4m"))
            })
        }
        _ => Ok(DEFAULT_MAX_PAYLOAD),
    }
}

/// Refuses a value of `len` bytes over the limit.
pub fn check(what: &'static str, len: usize) -> Result<()> {
    let limit = max_payload()?;
    if len > limit {
        return Err(BusError::TooLarge { what, size: len, limit });
    }
    Ok(())
}

/// `512k`, `4m`, `2g`, `1048576` → bytes; `None` for anything else.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_lowercase();
    let (digits, shift) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 10),
        'm' => (&t[..t.len() - 1], 20),
        'g' => (&t[..t.len() - 1], 30),
        _ => (t.as_str(), 0),
    };
    let n: f64 = digits.trim().parse().ok().filter(|n: &f64| n.is_finite() && *n >= 0.0)?;
    let bytes = n * (1u64 << shift) as f64;
    (bytes < u64::MAX as f64).then_some(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("512k"), Some(512 << 10));
        assert_eq!(parse_size("1.5m"), Some(3 << 19));
        assert_eq!(parse_size("2G"), Some(2 << 30));
        for bad in ["", "m", "-1", "lots", "1t"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }
}
