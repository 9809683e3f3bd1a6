//! Adopting a worktree that git created without cfn (a plain `git worktree add`, seen by the
//! post-checkout hook): lease its ports, render its files, register it, then run its post_create
//! hooks. The worktree itself is the user's: a failure undoes only what cfn did (row, leases),
//! never the checkout.

use super::register::{register, Parts, Place, Registered, Registration};
use crate::branch;
use crate::branch::{BranchEnv, Workspace};
use crate::context::Context;
use crate::error::UserError;
use crate::git::Checkout;
use crate::state::{OpLock, Operation, WorktreeRow, ADD_STEP_RENDERED};
use anyhow::Result;

/// Registers and provisions the linked worktree `checkout`; `Ok(None)` when there is nothing to
/// do (the main checkout, a detached HEAD, or already registered). Like an add, the adoption
/// is owned by this process's lock until its row is ready; a killed adoption loses only its row.
pub fn adopt(ctx: &Context, ws: &mut Workspace, checkout: &Checkout) -> Result<Option<BranchEnv>> {
    if checkout.is_main() || WorktreeRow::find_by_path(ws.state.conn(), &checkout.root)?.is_some() {
        return Ok(None);
    }
    let Some(branch) = checkout.branch.clone() else {
        ctx.warn(format!(
            "{} has a detached HEAD; cfn provisions worktrees of branches",
            checkout.root.display()
        ));
        return Ok(None);
    };
    branch::env_file::check_branch_is_representable(&branch)?;
    branch::env_file::check_path_is_representable(&checkout.root)?;
    let lock = OpLock::take(ws.state.home())?;
    let reg = Registration {
        operation: Operation::Adopt,
        branch: &branch,
        owner: lock.token(),
        created_branch: false,
    };
    let taken = |existing: &WorktreeRow| {
        UserError::new(format!(
            "branch {branch} is registered with another worktree at {}",
            existing.path.display()
        ))
        .hint("`cfn worktree prune` forgets worktrees whose directory is gone")
        .into()
    };
    let place = |_: &str| Ok(Place { path: checkout.root.clone(), created_dir: None });
    let Registered { id, .. } = register(
        Parts {
            state: &mut ws.state,
            repo: &ws.repo,
            ports: &ws.config.ports,
            host: crate::ports::PortHost::Local,
            engine: None,
        },
        &reg,
        taken,
        place,
    )?;
    let rendered = (|| -> Result<BranchEnv> {
        let row = WorktreeRow::find(ws.state.conn(), id)?
            .ok_or_else(|| anyhow::anyhow!("worktree row vanished during adoption"))?;
        let env = ws.env_of_new_checkout(row)?;
        branch::files::render(ws, &env)?;
        WorktreeRow::record_step(ws.state.conn(), id, ADD_STEP_RENDERED)?;
        WorktreeRow::mark_ready(ws.state.conn(), id)?;
        Ok(env)
    })();
    match rendered {
        Ok(env) => {
            super::provision::adopted(ctx, ws, &env);
            Ok(Some(env))
        }
        Err(e) => {
            WorktreeRow::delete(ws.state.conn(), id)?;
            Err(e)
        }
    }
}
