//! `cfn worktree prune`: forgets worktrees whose directory is gone.

use crate::branch::Workspace;
use crate::cli::commands::args::JsonArg;
use crate::context::Context;
use crate::error::UserError;
use crate::state::State;
use crate::worktrees::{self, PruneOptions, Pruned, StackFate};
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Prune every repository on this machine, including repositories that are gone.
    #[arg(long)]
    all: bool,
    /// Keep the stack of a gone worktree running, and with it its registration and ports (reported).
    #[arg(long)]
    keep_stacks: bool,
    #[command(flatten)]
    json: JsonArg,
}

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    let opts = PruneOptions { keep_stacks: args.keep_stacks };
    let pruned = if args.all {
        worktrees::prune(ctx, &State::open(&ctx.home)?, None, opts).await?
    } else {
        let ws = Workspace::open(ctx)?;
        worktrees::prune(ctx, &ws.state, Some(ws.repo.id), opts).await?
    };
    if args.json.on {
        crate::cli::output::json(&pruned)?;
    } else {
        report(ctx, &pruned);
    }
    let kept = pruned.iter().filter(|p| p.stack_unsettled() || p.reason == worktrees::UNSETTLED).count();
    if kept > 0 {
        let what = if kept == 1 {
            "worktree was kept with its ports: it"
        } else {
            "worktrees were kept with their ports: they"
        };
        return Err(UserError::new(format!("{kept} {what} could not be settled"))
            .hint("the warnings above say why; start the Docker engine (or let the busy branch finish), then run `cfn worktree prune` again")
            .into());
    }
    Ok(())
}

fn report(ctx: &Context, pruned: &[Pruned]) {
    for p in pruned {
        let what = p.branch.as_deref().unwrap_or("repository");
        let leased = leased(&p.kept_ports);
        match &p.stack {
            _ if p.reason == worktrees::UNSETTLED => ctx.warn(format!("{what} at {}: {}", p.path, p.reason)),
            Some(StackFate::Kept { containers }) => ctx.warn(format!(
                "kept {what} at {} ({}): its stack still runs (--keep-stacks: {}){leased}",
                p.path,
                p.reason,
                containers.join(", ")
            )),
            Some(StackFate::Unsettled { error }) => ctx.warn(format!(
                "kept {what} at {} ({}): its stack could not be checked or stopped: {error}{leased}",
                p.path, p.reason
            )),
            Some(StackFate::Stopped { containers, .. }) => ctx.say(format!(
                "pruned {what} at {}: {}; stopped its stack ({} container{}, volumes kept)",
                p.path,
                p.reason,
                containers.len(),
                if containers.len() == 1 { "" } else { "s" }
            )),
            None => ctx.say(format!("pruned {what} at {}: {}", p.path, p.reason)),
        }
        for note in &p.notes {
            ctx.warn(note);
        }
    }
    if pruned.is_empty() {
        ctx.say("nothing to prune");
    }
}

/// `; ports 1, 2 stay leased`, or nothing without ports.
fn leased(ports: &[u16]) -> String {
    if ports.is_empty() {
        return String::new();
    }
    let list: Vec<String> = ports.iter().map(u16::to_string).collect();
    format!("; ports {} stay leased", list.join(", "))
}
