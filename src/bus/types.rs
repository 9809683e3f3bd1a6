//! The values that travel on the bus, shared by both backends: agent reports, what a collection
//! returns, signals with their cursor, lock tokens.
//!
//! A report is stored as one JSON document and never changes once written: the first report into
//! its slot (agent, iteration and signing token, [`Report::slot`]) wins and a later one is
//! ignored, so a collection can be repeated and always sees the same report for the same agent.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::error::{BusError, Result};

/// How an agent says its step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Failed,
}

impl FromStr for Status {
    type Err = BusError;

    fn from_str(s: &str) -> Result<Status> {
        match s {
            "ok" => Ok(Status::Ok),
            "failed" => Ok(Status::Failed),
            _ => Err(BusError::invalid("status", format!("{s:?} is not ok or failed"))),
        }
    }
}

/// One agent's report for one iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    pub agent: String,
    pub iteration: u32,
    pub confidence: f64,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
    pub reported_at_ms: u64,
    /// The public id of the agent's report token: gives the report a slot of its own, so
    /// another agent's earlier report under the same id cannot take its place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// HMAC of the report keyed by the agent's token; only the orchestrator can check it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<String>,
}

impl Report {
    /// Builds a report, refusing a confidence outside [0, 1] (NaN included).
    pub fn new(
        agent: &str,
        iteration: u32,
        confidence: f64,
        status: Status,
        payload: Option<serde_json::Value>,
    ) -> Result<Report> {
        if !(0.0..=1.0).contains(&confidence) {
            return Err(BusError::invalid("confidence", format!("{confidence} is not within 0 and 1")));
        }
        Ok(Report {
            agent: agent.to_string(),
            iteration,
            confidence,
            status,
            payload,
            reported_at_ms: now_ms(),
            key_id: None,
            proof: None,
        })
    }

    /// Where the report is kept among the agent's: its iteration, and its token's key id when
    /// it has one. The first report into a slot wins.
    pub fn slot(&self) -> String {
        match &self.key_id {
            Some(key_id) => format!("{}:{key_id}", self.iteration),
            None => self.iteration.to_string(),
        }
    }

    /// The confidence that counts: a failed report counts as 0, whatever it claimed.
    pub fn effective_confidence(&self) -> f64 {
        match self.status {
            Status::Ok => self.confidence,
            Status::Failed => 0.0,
        }
    }

    pub(crate) fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| BusError::malformed("report", e.to_string()))
    }

    pub(crate) fn from_json(text: &str) -> Result<Report> {
        serde_json::from_str(text).map_err(|e| BusError::malformed("report", e.to_string()))
    }
}

/// What `results_collect` returns.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Collected {
    /// One report per distinct agent, in the order they arrived.
    pub reports: Vec<Report>,
    /// How many distinct agents were needed: `ceil(expected × threshold)`.
    pub needed: usize,
    /// Mean effective confidence of `reports` (failed = 0); 0 when there are none. Agents that
    /// never reported are not in it: the loop counts them as failed itself.
    pub mean_confidence: f64,
    /// True when `needed` agents reported before the timeout.
    pub complete: bool,
}

impl Collected {
    pub(crate) fn new(reports: Vec<Report>, needed: usize) -> Collected {
        let mean_confidence = if reports.is_empty() {
            0.0
        } else {
            reports.iter().map(Report::effective_confidence).sum::<f64>() / reports.len() as f64
        };
        let complete = reports.len() >= needed;
        Collected { reports, needed, mean_confidence, complete }
    }
}

/// `ceil(expected × threshold)`, tolerant of binary rounding (0.7 × 10 is 7, not 8), at most
/// `expected`. The threshold must be within [0, 1].
pub fn needed(expected: usize, threshold: f64) -> Result<usize> {
    if !(0.0..=1.0).contains(&threshold) {
        return Err(BusError::invalid("threshold", format!("{threshold} is not within 0 and 1")));
    }
    let exact = expected as f64 * threshold;
    let needed = (exact - 1e-9).ceil().max(0.0) as usize;
    Ok(needed.min(expected))
}

/// The longest wait accepted: no key outlives its TTL for long, and a longer deadline would
/// overflow the clock arithmetic.
pub const MAX_WAIT: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Refuses a wait longer than [`MAX_WAIT`].
pub(crate) fn check_wait(what: &'static str, wait: Duration) -> Result<()> {
    if wait > MAX_WAIT {
        return Err(BusError::invalid(what, "must be at most 7 days"));
    }
    Ok(())
}

/// A signal as read from a channel: its id is the cursor for [`super::Bus::signal_next`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signal {
    pub id: String,
    pub payload: String,
}

/// Proof of holding a lock; only its holder can release the lock with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LockToken(String);

impl LockToken {
    /// 128 random bits from the operating system, as hex.
    pub(crate) fn random() -> Result<LockToken> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| BusError::Random(e.to_string()))?;
        Ok(LockToken(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// A token given back by the caller (the CLI reads it from `--token`).
    pub fn from_string(token: impl Into<String>) -> LockToken {
        LockToken(token.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LockToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_ms() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needed_rounds_up_without_float_noise() -> Result<()> {
        assert_eq!(needed(5, 0.6)?, 3);
        assert_eq!(needed(10, 0.7)?, 7);
        assert_eq!(needed(3, 0.5)?, 2);
        assert_eq!(needed(4, 1.0)?, 4);
        assert_eq!(needed(0, 0.9)?, 0);
        assert!(needed(3, 1.5).is_err());
        assert!(needed(3, f64::NAN).is_err());
        Ok(())
    }

    #[test]
    fn failed_reports_count_zero_and_empty_mean_is_zero() -> Result<()> {
        let ok = Report::new("a", 1, 0.9, Status::Ok, None)?;
        let failed = Report::new("b", 1, 0.9, Status::Failed, None)?;
        let c = Collected::new(vec![ok, failed], 2);
        assert!((c.mean_confidence - 0.45).abs() < 1e-12);
        assert_eq!(Collected::new(Vec::new(), 1).mean_confidence, 0.0);
        assert!(Report::new("a", 1, 1.01, Status::Ok, None).is_err());
        assert!(Report::new("a", 1, f64::NAN, Status::Ok, None).is_err());
        Ok(())
    }

    #[test]
    fn tokens_are_random_hex() -> Result<()> {
        let (a, b) = (LockToken::random()?, LockToken::random()?);
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 32);
        Ok(())
    }
}
