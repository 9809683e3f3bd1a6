use crate::branch_health;
use crate::context::Context;
use crate::workspace::Workspace;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The branch (default: the checkout you are in).
    #[arg(long, short = 'b')]
    branch: Option<String>,
    /// Trust the health `command` checks of cfn.toml without asking (see `cfn trust`).
    #[arg(long, short = 'y')]
    yes: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let branch = ws.branch_env(args.branch.as_deref())?;
    let results = branch_health::run(ctx, &ws, &branch, args.yes)?;
    if args.json {
        crate::output::json(&results)?;
    } else if results.is_empty() {
        ctx.say("no health checks configured ([health.<name>] in cfn.toml)");
    } else {
        branch_health::print(&results)?;
    }
    match branch_health::failure(&results) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}
