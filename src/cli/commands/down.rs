//! `cfn down`: stops the branch's stack, keeping its volumes unless asked.

use crate::cli::commands::args::BranchArg;
use crate::context::Context;
use crate::stack::{self, DownRequest};
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

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    let request = DownRequest {
        branch: args.branch.name.as_deref(),
        volumes: args.volumes,
        confirm_volumes: &|project: &str| super::confirm::volume_deletion(ctx, args.yes, project),
        yes: args.yes,
    };
    let project = stack::bring_down(ctx, request).await?;
    let kept = if args.volumes { "volumes deleted" } else { "volumes kept" };
    ctx.say(format!("{project} is down ({kept})"));
    Ok(())
}
