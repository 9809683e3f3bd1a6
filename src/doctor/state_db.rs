//! A state database that cannot be opened (unwritable, or damaged and impossible to move aside)
//! is a failed `state` check, not a crash of the command that is meant to diagnose it: the
//! checks that need no registry (the engine, compose, the hooks) still run, and the check says
//! which file and what to do.

use super::paths::PathIndex;
use super::snapshot;
use super::survey::{Problem, Survey};
use super::Check;
use crate::compose::runner;
use crate::git::Checkout;
use indexmap::IndexMap;

impl Survey {
    /// The survey of a checkout whose configuration is valid but whose state database failed
    /// to open with `error`.
    pub async fn without_state(
        checkout: Checkout,
        mut config_checks: Vec<Check>,
        error: &anyhow::Error,
    ) -> Survey {
        let p = Problem::from_error(error);
        let hint = p.hint.unwrap_or_else(|| "see docs/troubleshooting.md (state)".into());
        config_checks.push(Check::fail("state", p.message, hint));
        Survey {
            checkout,
            config_checks,
            workspace: None,
            rows: Vec::new(),
            envs: Vec::new(),
            git_worktrees: Ok(Vec::new()),
            compose_files: Vec::new(),
            images: IndexMap::new(),
            engine: snapshot::take(&[]).await.map_err(|e| Problem::from_error(&e)),
            compose_tool: runner::detect().map_err(|e| Problem::from_error(&e)),
            git_paths: PathIndex::new(std::iter::empty()),
            row_paths: PathIndex::new(std::iter::empty()),
        }
    }
}
