//! `cfn doctor`: what is wrong with this set-up, and how to fix it (DESIGN §10).
//!
//! [`diagnose`] looks once at everything a repository's environments depend on — the state
//! database, `git worktree list`, the directories, the Docker engine, the host's listening
//! sockets, each branch's Redis and database, the hooks, the configuration and the rendered
//! files — and turns what it sees into [`Check`]s: a name, ok / warn / fail, a one-line message
//! naming its subject and a one-line hint. It changes nothing.
//!
//! [`fix`] repairs only what is safe to repair (moved worktrees, stale registry rows and their
//! leases, leases that do not match a worktree's configuration, rendered files, hooks,
//! unregistered worktrees, orphaned containers and networks) and deletes data
//! (orphaned volumes) only when a person says yes. It never stops a process it did not start:
//! a port held by another program is reported with its PID and command, never killed.
//!
//! Severity: `fail` means something cfn relies on is broken now (a registered worktree is
//! gone, a port is taken, a Redis evicts keys, an applied migration was edited, the engine is
//! unreachable while the project has a stack); `warn` means something is untidy or will bite
//! later (hooks missing, orphans, pending migrations, compose files that defeat isolation, a
//! stack with some services stopped).

mod data;
mod docker;
mod engines;
mod fix;
mod git_hooks;
mod group;
mod isolation;
mod leases;
mod listeners;
mod migrations;
mod orphans;
mod paths;
mod plain;
mod ports;
mod rebuilt;
mod redis;
mod registry;
mod rendered;
mod scratch;
mod skills;
mod snapshot;
mod stacks;
mod state_db;
mod survey;
mod unleased;
mod unmatched_keys;

pub use fix::{fix, Confirm};
pub use group::for_display;

use crate::context::Context;
use anyhow::Result;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

/// One result of the diagnosis.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Check {
    /// What was checked: `registry`, `docker`, `ports`, `redis`, …
    pub name: &'static str,
    pub status: Status,
    /// One lower-case line naming its subject.
    pub message: String,
    /// One line saying what to do; none (null) when there is nothing to do.
    pub hint: Option<String>,
    /// Set on a check of one checkout that may be merged with others saying the same when
    /// printed ([`for_display`]); the JSON output keeps every check.
    #[serde(skip)]
    pub group: Option<Group>,
}

/// What a per-checkout check says, apart from which checkout it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub branch: String,
    /// The message without its subject: `not running (stack down)`.
    pub detail: String,
    /// The hint for many checkouts at once (the check's own may name one checkout's path).
    pub hint: Option<String>,
}

impl Check {
    pub fn ok(name: &'static str, message: impl Into<String>) -> Check {
        Check { name, status: Status::Ok, message: message.into(), hint: None, group: None }
    }

    pub fn warn(name: &'static str, message: impl Into<String>, hint: impl Into<String>) -> Check {
        Check { name, status: Status::Warn, message: message.into(), hint: Some(hint.into()), group: None }
    }

    pub fn fail(name: &'static str, message: impl Into<String>, hint: impl Into<String>) -> Check {
        Check { name, status: Status::Fail, message: message.into(), hint: Some(hint.into()), group: None }
    }

    /// Marks it as one checkout's result that [`for_display`] may merge with others saying
    /// `detail`; `many_hint` replaces the hint on the merged line.
    pub fn of_checkout(mut self, branch: &str, detail: impl Into<String>, many_hint: Option<&str>) -> Check {
        self.group =
            Some(Group { branch: branch.into(), detail: detail.into(), hint: many_hint.map(str::to_string) });
        self
    }
}

/// Every check of the repository containing `ctx.cwd`, in a fixed order.
pub async fn diagnose(ctx: &Context) -> Result<Vec<Check>> {
    let survey = survey::Survey::take(ctx).await?;
    let mut checks = survey.config_checks.clone();
    let Some(ws) = &survey.workspace else {
        // Without a valid configuration only the machine-wide checks make sense.
        checks.extend(docker::checks(&survey));
        checks.extend(git_hooks::checks(&survey.checkout.main_root));
        return Ok(checks);
    };
    checks.extend(rebuilt::checks(ws)?);
    checks.extend(registry::checks(&survey, ws)?);
    checks.extend(leases::checks(&survey, ws)?);
    checks.extend(docker::checks(&survey));
    checks.extend(engines::checks(&survey, ws).await);
    checks.extend(ports::checks(&survey, ws));
    checks.extend(unleased::checks(&survey));
    checks.extend(unmatched_keys::checks(&survey, ws));
    checks.extend(skills::checks(&survey, ws));
    checks.extend(orphans::checks(&survey, ws)?);
    checks.extend(stacks::checks(ctx, &survey));
    checks.extend(redis::checks(&survey, ws).await);
    checks.extend(migrations::checks(&survey, ws));
    checks.extend(git_hooks::checks(ws.main_root()));
    checks.extend(rendered::checks(&survey, ws));
    checks.extend(isolation::checks(&survey));
    checks.extend(data::checks(ctx, ws).await);
    Ok(checks)
}

/// Whether any check failed (the command then exits 1).
pub fn any_failed(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.status == Status::Fail)
}

/// `2 failed, 1 warning, 9 ok`.
pub fn summary(checks: &[Check]) -> String {
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    let warnings = count(Status::Warn);
    format!(
        "{} failed, {} warning{}, {} ok",
        count(Status::Fail),
        warnings,
        if warnings == 1 { "" } else { "s" },
        count(Status::Ok)
    )
}
