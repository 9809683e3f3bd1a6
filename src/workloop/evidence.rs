//! Validation by evidence: what the checks say about an iteration, for the gate (required
//! checks), the validators (`confidence = "checks"`) and the product owner (both confidences).

use super::checks::CheckResult;
use super::phase::PhaseResult;
use crate::agents::AgentProfile;
use crate::bus::Status;
use crate::config::agents::ConfidenceSource;
use serde::Serialize;

/// Why the required checks keep the gate shut: one line per required check that did not pass.
pub fn required_failures(checks: &[CheckResult]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| c.required && !c.passed)
        .map(|c| format!("required check {}", failure(c)))
        .collect()
}

/// One line per failed check, with the last lines of its output, for the implementers' feedback.
pub fn feedback(checks: &[CheckResult]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            let tail: Vec<&str> =
                c.output.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect();
            if tail.is_empty() {
                format!("check {}", failure(c))
            } else {
                format!("check {}; its output ended: {}", failure(c), tail.join(" | "))
            }
        })
        .collect()
}

/// `tests failed: exit code 1` / `tests failed: timed out after 2s; killed`.
fn failure(c: &CheckResult) -> String {
    match (&c.reason, c.exit_code) {
        (Some(reason), _) => format!("{} failed: {reason}", c.name),
        (None, Some(code)) => format!("{} failed: exit code {code}", c.name),
        (None, None) => format!("{} failed", c.name),
    }
}

/// A validator's confidence both ways, and the one that counted.
#[derive(Debug, Clone, Serialize)]
pub struct Confidence {
    pub agent: String,
    /// `reported` or `checks`: which one counted.
    pub source: &'static str,
    /// What it reported (0 without an ok report).
    pub reported: f64,
    /// Passed checks over all checks (0 when there are none).
    pub checks: f64,
    pub passed: usize,
    pub total: usize,
    /// What counted: 0 without an ok report, whatever the checks say (fail closed).
    pub used: f64,
}

/// Each validator's confidence, and the phase's mean recomputed from the ones that count.
pub fn confidences(
    val: &mut PhaseResult,
    validators: &[(String, AgentProfile)],
    checks: &[CheckResult],
) -> Vec<Confidence> {
    let passed = checks.iter().filter(|c| c.passed).count();
    let total = checks.len();
    let ratio = if total == 0 { 0.0 } else { passed as f64 / total as f64 };
    let list: Vec<Confidence> = validators
        .iter()
        .map(|(id, profile)| {
            let report = val.reports.get(id).cloned().flatten();
            let ok = report.as_ref().is_some_and(|r| r.status == Status::Ok);
            let reported = report.as_ref().filter(|_| ok).map(|r| r.confidence).unwrap_or(0.0);
            let by_checks = profile.confidence == Some(ConfidenceSource::Checks);
            let used = match (ok, by_checks) {
                (false, _) => 0.0,
                (true, true) => ratio,
                (true, false) => reported,
            };
            Confidence {
                agent: id.clone(),
                source: if by_checks { "checks" } else { "reported" },
                reported,
                checks: ratio,
                passed,
                total,
                used,
            }
        })
        .collect();
    if !list.is_empty() {
        val.mean = list.iter().map(|c| c.used).sum::<f64>() / list.len() as f64;
    }
    list
}
