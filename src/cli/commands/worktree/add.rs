//! `cfn worktree add`: creates a worktree with leased ports and rendered files.

use crate::branch::Workspace;
use crate::cli::commands::view::{ports_inline, WorktreeView};
use crate::context::Context;
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
    /// Start the branch's volumes and SQLite database as copies of this branch's (`main` for the
    /// main checkout) or of this snapshot's.
    #[arg(long, value_name = "SOURCE")]
    data_from: Option<String>,
    /// With --data-from: stop the source's services that use the copied volumes for the copy,
    /// and start them again after (without it a running source is refused).
    #[arg(long, requires = "data_from")]
    stop_source: bool,
    /// Run the branch's stack on this Docker engine: a docker context's name, or an address
    /// (`tcp://HOST:PORT`, `ssh://USER@HOST`, `unix:///PATH`); default: the repository's
    /// `[engine]`, else local.
    #[arg(long, value_name = "NAME")]
    engine: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    let mut ws = Workspace::open(ctx)?;
    let opts = AddOptions {
        branch: args.branch,
        base: args.base,
        path: args.path,
        data_from: args.data_from,
        stop_source: args.stop_source,
        approve_hooks: args.yes,
        engine: args.engine,
    };
    let worktrees::Added { env, plain } = worktrees::add(ctx, &mut ws, &opts).await?;
    // found while rendering: asking again would read the git index of the worktree twice
    if let crate::branch::plain_compose::Plain::Blocked { reason, env_file } = &plain {
        ctx.warn(format!("{}\nhint: {}", reason.message(&env.branch, env_file), reason.hint()));
    }
    if args.json {
        return crate::cli::output::json(&WorktreeView::from(&env));
    }
    ctx.say(format!("created {} at {} (slot {})", env.branch, env.path.display(), env.slot));
    if !env.ports.is_empty() {
        ctx.say(format!("  ports: {}", ports_inline(&env.ports)));
    }
    ctx.say(format!("  cd {}", env.path.display()));
    Ok(())
}
