//! `cfn migrate status|up|down`: the engine that drives a [`Target`].
//!
//! A run that changes something holds the target's migrator lock from before it reads the
//! applied migrations until after its last step, so its plan cannot go stale under it, and
//! releases the lock on every path, errors included. The whole plan is checked first (see
//! [`super::plan`]), so a refused run changes nothing. Steps then run one at a time, each in
//! its own transaction: when one fails, the ones before it stay applied (or reverted), it
//! leaves no trace, and the error names it. A dry run reads and plans without locking and
//! reports the steps with no durations.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;

use super::error::MigrateError;
use super::plan::{plan_down, plan_up, Direction, Plan, Step};
use super::source::Migration;
use super::target::{Applied, Target};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Applied, and its file is unchanged.
    Applied,
    /// Has a file, not applied yet.
    Pending,
    /// Applied, but its file's up script differs from what was applied.
    Changed,
    /// Applied, and its file is gone.
    MissingFile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StatusRow {
    pub version: i64,
    pub name: String,
    pub state: State,
    pub applied_at: Option<String>,
    pub duration_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub direction: Direction,
    pub dry_run: bool,
    /// What was applied or reverted, in order; with `dry_run`, what would be.
    pub steps: Vec<ReportStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportStep {
    pub version: i64,
    pub name: String,
    /// How long the step took; `None` in a dry run.
    pub duration_ms: Option<i64>,
}

/// Every known version, applied or available, in version order.
pub fn status(target: &mut dyn Target, available: &[Migration]) -> Result<Vec<StatusRow>, MigrateError> {
    let applied = target.applied()?;
    let mut rows: BTreeMap<i64, (Option<&Applied>, Option<&Migration>)> = BTreeMap::new();
    for a in &applied {
        rows.entry(a.version).or_default().0 = Some(a);
    }
    for m in available {
        rows.entry(m.version).or_default().1 = Some(m);
    }
    let rows = rows.into_iter().filter_map(|(version, pair)| {
        let (state, name) = match pair {
            (Some(a), Some(m)) if a.checksum == m.checksum => (State::Applied, &m.name),
            (Some(_), Some(m)) => (State::Changed, &m.name),
            (Some(a), None) => (State::MissingFile, &a.name),
            (None, Some(m)) => (State::Pending, &m.name),
            (None, None) => return None,
        };
        Some(StatusRow {
            version,
            name: name.clone(),
            state,
            applied_at: pair.0.map(|a| a.applied_at.clone()),
            duration_ms: pair.0.map(|a| a.duration_ms),
        })
    });
    Ok(rows.collect())
}

/// Applies the pending migrations up to and including `to` (all when `None`).
pub fn up(
    target: &mut dyn Target,
    available: &[Migration],
    to: Option<i64>,
    dry_run: bool,
) -> Result<Report, MigrateError> {
    run(target, dry_run, |applied| plan_up(applied, available, to))
}

/// Reverts every applied migration above `to`, newest first (`Some(0)`: all of them); `None`
/// reverts only the newest one.
pub fn down(
    target: &mut dyn Target,
    available: &[Migration],
    to: Option<i64>,
    dry_run: bool,
) -> Result<Report, MigrateError> {
    run(target, dry_run, |applied| plan_down(applied, available, to))
}

fn run(
    target: &mut dyn Target,
    dry_run: bool,
    make_plan: impl FnOnce(&[Applied]) -> Result<Plan, MigrateError>,
) -> Result<Report, MigrateError> {
    if dry_run {
        let plan = make_plan(&target.applied()?)?;
        let steps = plan.steps.iter().map(|s| report_step(s, None)).collect();
        return Ok(Report { direction: plan.direction, dry_run, steps });
    }
    target.lock()?;
    crate::crash_point::reached("migrate", 1);
    let result = execute(target, make_plan);
    let unlocked = target.unlock();
    let report = result?;
    unlocked?;
    Ok(report)
}

fn execute(
    target: &mut dyn Target,
    make_plan: impl FnOnce(&[Applied]) -> Result<Plan, MigrateError>,
) -> Result<Report, MigrateError> {
    let plan = make_plan(&target.applied()?)?;
    let mut steps = Vec::with_capacity(plan.steps.len());
    for step in &plan.steps {
        let duration_ms = match step {
            Step::Apply(m) => {
                let applied = target.apply(m)?;
                crate::crash_point::reached("migrate", 3);
                applied.duration_ms
            }
            Step::Revert(a) => {
                let started = Instant::now();
                target.revert(a)?;
                i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
            }
        };
        steps.push(report_step(step, Some(duration_ms)));
    }
    Ok(Report { direction: plan.direction, dry_run: false, steps })
}

fn report_step(step: &Step, duration_ms: Option<i64>) -> ReportStep {
    ReportStep { version: step.version(), name: step.name().to_string(), duration_ms }
}
