use crate::context::Context;
use crate::stack;
use crate::workspace::Workspace;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also delete the stack's volumes (its data). Asks first on a terminal.
    #[arg(long)]
    volumes: bool,
    /// Do not ask for confirmation (needed with --volumes when there is no terminal).
    #[arg(long, short = 'y')]
    yes: bool,
    /// The branch (default: the checkout you are in).
    #[arg(long, short = 'b')]
    branch: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let (_lock, branch) = crate::branch_lock::lock_branch(ctx, &ws, args.branch.as_deref(), "down")?;
    if args.volumes {
        super::confirm::volume_deletion(ctx, args.yes, &branch.project)?;
    }
    crate::lifecycle::run(ctx, &ws, &branch, crate::lifecycle::HookPoint::PreDown, args.yes)?;
    stack::down(ctx, &ws, &branch, args.volumes)?;
    // Leases kept while a removed service still published them can go now.
    if !branch.is_main {
        if let Some(row) =
            crate::state::WorktreeRow::find_by_branch(ws.state.conn(), ws.repo.id, &branch.branch)?
        {
            ws.follow_config(row)?;
        }
    }
    let kept = if args.volumes { "volumes deleted" } else { "volumes kept" };
    ctx.say(format!("{} is down ({kept})", branch.project));
    Ok(())
}
