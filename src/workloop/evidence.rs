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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::Report;

    fn check(name: &str, passed: bool, required: bool) -> CheckResult {
        CheckResult {
            name: name.into(),
            passed,
            exit_code: Some(if passed { 0 } else { 1 }),
            duration_secs: 0.1,
            reason: None,
            required,
            output: "FAILED test_login\nline".into(),
        }
    }

    fn validator(id: &str, source: Option<ConfidenceSource>) -> (String, AgentProfile) {
        let toml = format!(
            "role = \"validator\"\ncommand = [\"true\"]\n{}",
            match source {
                Some(ConfidenceSource::Checks) => "confidence = \"checks\"",
                _ => "",
            }
        );
        (id.to_string(), toml::from_str(&toml).unwrap())
    }

    #[test]
    fn a_checks_validator_counts_the_share_passed_and_only_with_an_ok_report() {
        let checks = [check("tests", true, true), check("lint", false, false), check("build", true, false)];
        let reports = [
            ("by-checks", Some(Report::new("by-checks", 1, 0.99, Status::Ok, None).unwrap())),
            ("reported", Some(Report::new("reported", 1, 0.9, Status::Ok, None).unwrap())),
            ("silent-checks", None),
            ("failed-checks", Some(Report::new("failed-checks", 1, 1.0, Status::Failed, None).unwrap())),
        ];
        let mut val = PhaseResult {
            outcomes: Vec::new(),
            reports: reports.iter().map(|(id, r)| (id.to_string(), r.clone())).collect(),
            mean: 0.0,
            problems: Vec::new(),
            said: Vec::new(),
            refused: Vec::new(),
        };
        let team = [
            validator("by-checks", Some(ConfidenceSource::Checks)),
            validator("reported", None),
            validator("silent-checks", Some(ConfidenceSource::Checks)),
            validator("failed-checks", Some(ConfidenceSource::Checks)),
        ];
        let list = confidences(&mut val, &team, &checks);
        let used: Vec<f64> = list.iter().map(|c| (c.used * 1000.0).round() / 1000.0).collect();
        assert_eq!(used, vec![0.667, 0.9, 0.0, 0.0], "fail closed without an ok report");
        assert_eq!((list[0].reported, list[0].passed, list[0].total, list[0].source), (0.99, 2, 3, "checks"));
        assert!((val.mean - (2.0 / 3.0 + 0.9) / 4.0).abs() < 1e-9, "{}", val.mean);
        assert_eq!(required_failures(&checks), Vec::<String>::new());
        assert_eq!(
            feedback(&checks),
            vec!["check lint failed: exit code 1; its output ended: FAILED test_login | line".to_string()]
        );
        assert_eq!(
            required_failures(&[check("tests", false, true)]),
            vec!["required check tests failed: exit code 1"]
        );
    }
}
