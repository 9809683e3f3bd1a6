use crate::commands::view::{ports_inline, WorktreeView};
use crate::context::Context;
use crate::workspace::Workspace;
use crate::worktrees::{self, AddOptions};
use anyhow::Result;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The branch; created from --base when it does not exist.
    branch: String,
    /// Revision a new branch starts from (default: HEAD).
    #[arg(long)]
    base: Option<String>,
    /// Where to put the worktree (default: project.worktree_dir, `../<project>-<branch>`).
    #[arg(long)]
    path: Option<PathBuf>,
    /// Run the project's post_create hooks without asking (approves them).
    #[arg(long, short = 'y')]
    yes: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let mut ws = Workspace::open(ctx)?;
    let opts = AddOptions { branch: args.branch, base: args.base, path: args.path };
    let worktrees::Added { env, plain } = worktrees::add(ctx, &mut ws, &opts)?;
    crate::lifecycle::run(ctx, &ws, &env, crate::lifecycle::HookPoint::PostCreate, args.yes)?;
    // found while rendering: asking again would read the git index of the worktree twice
    if let crate::plain_compose::Plain::Blocked { reason, env_file } = &plain {
        ctx.warn(format!("{}\nhint: {}", reason.message(&env.branch, env_file), reason.hint()));
    }
    if args.json {
        return crate::output::json(&WorktreeView::from(&env));
    }
    ctx.say(format!("created {} at {} (slot {})", env.branch, env.path.display(), env.slot));
    if !env.ports.is_empty() {
        ctx.say(format!("  ports: {}", ports_inline(&env.ports)));
    }
    ctx.say(format!("  cd {}", env.path.display()));
    Ok(())
}
