//! The team's agents and checks are approved when a run starts, but an agent can change files
//! while the run goes on: an implementer rewriting a validator's script or a check's file in the
//! branch's worktree, or in its lane. So right before an agent or check runs, its trust item is
//! computed again where it runs and must still be an approved one; otherwise the run stops
//! (fail closed), naming what changed. Nothing is asked mid-run.

use crate::agents::AgentProfile;
use crate::branch::trust::{self, inventory, Item};
use crate::branch::{BranchEnv, Workspace};
use crate::error::UserError;
use anyhow::Result;
use std::path::Path;

/// Agent `id`, about to run in `workdir` (the branch's worktree or its lane), is as approved.
pub fn agent(
    ws: &Workspace,
    branch: &BranchEnv,
    id: &str,
    profile: &AgentProfile,
    workdir: &Path,
) -> Result<()> {
    let mut at = branch.clone();
    at.path = workdir.to_path_buf();
    still(ws, &inventory::agent(ws, &at, id, profile))
}

/// The loop's checks, about to run in the branch's worktree, are as approved.
pub fn checks(ws: &Workspace, branch: &BranchEnv) -> Result<()> {
    inventory::loop_checks(ws, branch).iter().try_for_each(|item| still(ws, item))
}

fn still(ws: &Workspace, item: &Item) -> Result<()> {
    if trust::is_trusted(ws.state.conn(), ws.repo.id, item)? {
        return Ok(());
    }
    Err(UserError::new(format!(
        "{} changed during the run and is not what was approved; the run stops",
        item.describe()
    ))
    .kind(crate::error::Kind::NotTrusted)
    .hint("an agent of the run may have edited it: review the change, then `cfn trust` it and run again")
    .into())
}
