use crate::context::Context;
use crate::state::State;
use crate::workspace::Workspace;
use crate::worktrees;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Prune every repository on this machine, including repositories that are gone.
    #[arg(long)]
    all: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let pruned = if args.all {
        worktrees::prune(&State::open(&ctx.home)?, None)?
    } else {
        let ws = Workspace::open(ctx)?;
        worktrees::prune(&ws.state, Some(ws.repo.id))?
    };
    if args.json {
        return crate::output::json(&pruned);
    }
    for p in &pruned {
        let what = p.branch.as_deref().unwrap_or("repository");
        if p.reason == worktrees::UNSETTLED {
            ctx.warn(format!("{what} at {}: {}", p.path, p.reason));
        } else {
            ctx.say(format!("pruned {what} at {}: {}", p.path, p.reason));
        }
        for note in &p.notes {
            ctx.warn(note);
        }
    }
    if pruned.is_empty() {
        ctx.say("nothing to prune");
    }
    Ok(())
}
