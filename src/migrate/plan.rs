//! Deciding what `up` and `down` will do, and refusing before anything runs.
//!
//! Planning is pure: it reads the recorded rows and the available files and either returns
//! the steps in the order they run or an error, so a refused run has changed nothing. It
//! guarantees that every step of a returned plan has a script that can run: for `up`, no
//! applied migration's file was changed (checksum), no pending migration sits below the
//! highest applied one, and no script controls its own transaction without the
//! `-- cfn:no-transaction` directive; for `down`, every migration to revert has a down script.
//!
//! `down` runs the down script recorded when the migration was applied, so a rollback works
//! after its files are gone; a changed file does not block it, since reverting is the way to
//! apply a changed migration again. When nothing was recorded (the down file was added after
//! the migration was applied), the file's down script is used if the up script is unchanged.

use std::collections::HashSet;

use serde::Serialize;

use super::error::MigrateError;
use super::script::{down_label, transaction_mode};
use super::source::Migration;
use super::target::Applied;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Apply(Migration),
    /// The row to revert, its `down` resolved to the script that will run.
    Revert(Applied),
}

impl Step {
    pub fn version(&self) -> i64 {
        match self {
            Step::Apply(m) => m.version,
            Step::Revert(a) => a.version,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Step::Apply(m) => &m.name,
            Step::Revert(a) => &a.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub direction: Direction,
    pub steps: Vec<Step>,
}

/// Fails on the first applied migration whose file still exists with another checksum.
pub fn verify_checksums(applied: &[Applied], available: &[Migration]) -> Result<(), MigrateError> {
    for a in applied {
        let file = available.iter().find(|m| m.version == a.version);
        if file.is_some_and(|m| m.checksum != a.checksum) {
            return Err(MigrateError::ChecksumMismatch { version: a.version, name: a.name.clone() });
        }
    }
    Ok(())
}

/// The pending migrations up to and including `to` (all when `None`), in version order.
/// `to` must name an available or applied version.
pub fn plan_up(applied: &[Applied], available: &[Migration], to: Option<i64>) -> Result<Plan, MigrateError> {
    verify_checksums(applied, available)?;
    if let Some(version) = to {
        let known =
            available.iter().any(|m| m.version == version) || applied.iter().any(|a| a.version == version);
        if !known {
            return Err(MigrateError::UnknownVersion { version });
        }
    }
    let done: HashSet<i64> = applied.iter().map(|a| a.version).collect();
    let highest = applied.iter().map(|a| a.version).max();
    let mut pending: Vec<&Migration> = available.iter().filter(|m| !done.contains(&m.version)).collect();
    pending.sort_by_key(|m| m.version);
    if let (Some(first), Some(highest)) = (pending.first(), highest) {
        if first.version < highest {
            return Err(MigrateError::OutOfOrder {
                version: first.version,
                name: first.name.clone(),
                highest,
            });
        }
    }
    let mut steps = Vec::new();
    for m in pending.into_iter().filter(|m| to.is_none_or(|t| m.version <= t)) {
        transaction_mode(&m.up, &m.file)?;
        steps.push(Step::Apply(m.clone()));
    }
    Ok(Plan { direction: Direction::Up, steps })
}

/// The applied migrations above `to`, newest first; `None` reverts only the newest one and
/// `Some(0)` reverts all. Otherwise `to` must name an applied version.
pub fn plan_down(
    applied: &[Applied],
    available: &[Migration],
    to: Option<i64>,
) -> Result<Plan, MigrateError> {
    let mut newest_first: Vec<&Applied> = applied.iter().collect();
    newest_first.sort_by_key(|a| std::cmp::Reverse(a.version));
    let selected: Vec<&Applied> = match to {
        None => newest_first.into_iter().take(1).collect(),
        Some(0) => newest_first,
        Some(version) if applied.iter().any(|a| a.version == version) => {
            newest_first.into_iter().filter(|a| a.version > version).collect()
        }
        Some(version) => return Err(MigrateError::UnknownVersion { version }),
    };
    let mut steps = Vec::new();
    for a in selected {
        let from_file = || {
            let m = available.iter().find(|m| m.version == a.version)?;
            (m.checksum == a.checksum).then(|| m.down.clone())?
        };
        let Some(down) = a.down.clone().or_else(from_file) else {
            return Err(MigrateError::NoDownScript { version: a.version, name: a.name.clone() });
        };
        transaction_mode(&down, &down_label(a.version, &a.name))?;
        steps.push(Step::Revert(Applied { down: Some(down), ..a.clone() }));
    }
    Ok(Plan { direction: Direction::Down, steps })
}
