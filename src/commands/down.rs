use crate::context::Context;
use crate::error::UserError;
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
    let branch = ws.branch_env(args.branch.as_deref())?;
    if args.volumes && !args.yes {
        if !ctx.interactive() {
            return Err(UserError::usage("refusing to delete volumes without confirmation")
                .hint("pass --yes to delete this branch's volumes, or drop --volumes to keep the data")
                .into());
        }
        let prompt = format!("Delete the volumes (all data) of {}?", branch.project);
        if !dialoguer::Confirm::new().with_prompt(prompt).default(false).interact()? {
            return Err(UserError::new("cancelled; nothing was stopped or deleted").into());
        }
    }
    let handle = stack::prepare(&ws, &branch)?;
    stack::down(&branch, &handle, args.volumes)?;
    let kept = if args.volumes { "volumes deleted" } else { "volumes kept" };
    ctx.say(format!("{} is down ({kept})", branch.project));
    Ok(())
}
