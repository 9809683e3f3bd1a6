//! `cfn down`: stops the branch's stack, keeping its volumes unless asked.

use crate::branch::Workspace;
use crate::cli::commands::args::BranchArg;
use crate::context::Context;
use crate::stack;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also delete the stack's volumes (its data). Asks first on a terminal.
    #[arg(long)]
    volumes: bool,
    /// Do not ask for confirmation (needed with --volumes when there is no terminal).
    #[arg(long, short = 'y')]
    yes: bool,
    #[command(flatten)]
    branch: BranchArg,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let project = stop(ctx, args.branch.name.as_deref(), args.volumes, args.yes)?;
    let kept = if args.volumes { "volumes deleted" } else { "volumes kept" };
    ctx.say(format!("{project} is down ({kept})"));
    Ok(())
}

/// Stops the branch's stack (its pre_down hooks first) and returns its project name. Volumes
/// go only with `volumes`, which is confirmed here.
pub fn stop(ctx: &Context, branch: Option<&str>, volumes: bool, yes: bool) -> Result<String> {
    let ws = Workspace::open(ctx)?;
    let (_lock, branch) = crate::branch::lock::lock_branch(ctx, &ws, branch, "down")?;
    if volumes {
        super::confirm::volume_deletion(ctx, yes, &branch.project)?;
    }
    crate::branch::project_hooks::run(
        ctx,
        &ws,
        &branch,
        crate::branch::project_hooks::HookPoint::PreDown,
        yes,
    )?;
    stack::down(ctx, &ws, &branch, volumes)?;
    // Leases kept while a removed service still published them can go now.
    if !branch.is_main {
        if let Some(row) =
            crate::state::WorktreeRow::find_by_branch(ws.state.conn(), ws.repo.id, &branch.branch)?
        {
            ws.follow_config(row)?;
        }
    }
    Ok(branch.project)
}
