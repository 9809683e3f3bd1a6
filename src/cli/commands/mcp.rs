//! `cfn mcp`: serve the branch's environment to an agent over MCP (stdio).

use crate::context::Context;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The branch to serve (default: the checkout you are in). The server acts on no other.
    #[arg(long, short = 'b', conflicts_with = "repo")]
    branch: Option<String>,
    /// Serve every branch of the repository (a `branch` argument on each tool), plus the
    /// worktree_add, worktree_list, worktree_remove and conflicts tools: for an orchestrator.
    #[arg(long)]
    repo: bool,
}

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    crate::cli::mcp::serve(ctx, args.repo, args.branch.as_deref()).await
}
