//! A token's lifetime: parsed from `90s`, `15m`, `1h` or `7d`, and bounded.

use crate::error::UserError;
use anyhow::Result;
use std::time::Duration;

/// The longest a token may live. A verifier keeps a rotated-out key exactly this long, so every
/// token the key signed has expired by the time the key is dropped.
pub const MAX_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// The lifetime `cfn token issue` gives when `--ttl` is not given.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// Parses a lifetime: a positive whole number and one unit, `s`, `m`, `h` or `d`.
pub fn parse_ttl(text: &str) -> Result<Duration> {
    let hint = "write a number and a unit: 90s, 15m, 1h or 7d (at most 30d)";
    let text = text.trim();
    let unit_at = text.len().saturating_sub(1);
    let (number, unit) = (text.get(..unit_at).unwrap_or(""), text.get(unit_at..).unwrap_or(""));
    let seconds_per_unit: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(UserError::new(format!("malformed ttl {text:?}: no unit")).hint(hint).into()),
    };
    if number.starts_with('-') {
        return Err(UserError::new(format!("ttl must be positive, not {text}")).hint(hint).into());
    }
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UserError::new(format!("malformed ttl {text:?}: not a whole number of {unit}"))
            .hint(hint)
            .into());
    }
    // A number too long for u64 is certainly beyond the bound: saturate and let `check_ttl` say so.
    let count = number.parse::<u64>().unwrap_or(u64::MAX);
    let ttl = Duration::from_secs(count.saturating_mul(seconds_per_unit));
    check_ttl(ttl)?;
    Ok(ttl)
}

/// Refuses a lifetime of zero or beyond [`MAX_TTL`].
pub fn check_ttl(ttl: Duration) -> Result<()> {
    if ttl.as_secs() == 0 {
        return Err(UserError::new("ttl must be positive")
            .hint("give the token a lifetime, e.g. --ttl 1h")
            .into());
    }
    if ttl > MAX_TTL {
        return Err(UserError::new(format!("ttl {} is longer than 30 days", human(ttl)))
            .hint("tokens live at most 30d; issue a new one when it expires")
            .into());
    }
    Ok(())
}

/// A lifetime in the largest unit that divides it: `40d`, `36h`, `90s`.
pub fn human(ttl: Duration) -> String {
    let secs = ttl.as_secs();
    match [(86_400, 'd'), (3600, 'h'), (60, 'm')].into_iter().find(|(unit, _)| secs.is_multiple_of(*unit)) {
        Some((unit, name)) if secs > 0 => format!("{}{name}", secs / unit),
        _ => format!("{secs}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_each_unit() {
        assert_eq!(parse_ttl("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_ttl("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_ttl("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_ttl("7d").unwrap(), Duration::from_secs(7 * 86_400));
        assert_eq!(parse_ttl("30d").unwrap(), MAX_TTL);
    }

    #[test]
    fn refuses_zero_too_long_and_malformed() {
        for bad in [
            "0s",
            "0d",
            "31d",
            "721h",
            "99999999999999999999999d",
            "",
            "h",
            "1",
            "1w",
            "-1h",
            "1.5h",
            "1 h",
            "h1",
        ] {
            assert!(parse_ttl(bad).is_err(), "{bad:?} was accepted");
        }
        let err = parse_ttl("31d").unwrap_err().to_string();
        assert_eq!(err, "ttl 31d is longer than 30 days");
        assert_eq!(human(Duration::from_secs(90)), "90s");
        assert_eq!(human(Duration::from_secs(5400)), "90m");
    }
}
