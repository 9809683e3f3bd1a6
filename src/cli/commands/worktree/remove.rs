//! `cfn worktree remove`: removes a branch's worktree, stack and leases.

use crate::branch::Workspace;
use crate::cli::commands::args::JsonArg;
use crate::context::Context;
use crate::worktrees::{self, RemoveOptions};
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The branch whose worktree to remove.
    branch: String,
    /// Remove even with uncommitted or untracked changes (they are lost); with
    /// --delete-branch, delete an unmerged branch too.
    #[arg(long, short = 'f')]
    force: bool,
    /// Delete the branch as well (only a merged one without --force).
    #[arg(long, short = 'd')]
    delete_branch: bool,
    /// Also delete the stack's volumes (its data); asks first on a terminal.
    #[arg(long)]
    volumes: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    yes: bool,
    #[command(flatten)]
    json: JsonArg,
}

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    let mut ws = Workspace::open(ctx)?;
    if args.volumes {
        crate::cli::commands::confirm::volume_deletion(ctx, args.yes, &args.branch)?;
    }
    let opts = RemoveOptions {
        branch: args.branch,
        force: args.force,
        delete_branch: args.delete_branch,
        volumes: args.volumes,
        yes: args.yes,
    };
    let removed = worktrees::remove(ctx, &mut ws, &opts).await?;
    if args.json.on {
        return crate::cli::output::json(&removed);
    }
    if let Some(what) = &removed.recovered {
        ctx.say(format!("{what} of {} ({}): nothing of it is left", removed.branch, removed.path));
        return Ok(());
    }
    ctx.say(format!("removed {} ({})", removed.branch, removed.path));
    if let Some(stack) = removed.stack.as_ref().filter(|s| !s.containers.is_empty() || !s.volumes.is_empty())
    {
        ctx.say(format!(
            "stopped its stack: {} container(s) removed, {} volume(s) deleted",
            stack.containers.len(),
            stack.volumes.len()
        ));
    }
    if removed.branch_deleted {
        ctx.say(format!("deleted branch {}", removed.branch));
    }
    Ok(())
}
