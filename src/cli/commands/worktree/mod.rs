//! `cfn worktree add|list|remove|prune`.

mod add;
pub(crate) mod list;
mod prune;
mod remove;

use crate::context::Context;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum WorktreeCommand {
    /// Create a worktree for a branch with its own ports and rendered files.
    Add(add::Args),
    /// List the repository's worktrees with their slots and ports.
    List(list::Args),
    /// Remove a worktree and release its ports (the branch is kept unless asked).
    Remove(remove::Args),
    /// Settle interrupted adds and removes; forget worktrees whose directory is gone, stopping their stacks first (volumes kept).
    Prune(prune::Args),
}

pub async fn run(ctx: &Context, cmd: WorktreeCommand) -> Result<()> {
    match cmd {
        WorktreeCommand::Add(args) => add::run(ctx, args).await,
        WorktreeCommand::List(args) => list::run(ctx, args),
        WorktreeCommand::Remove(args) => remove::run(ctx, args).await,
        WorktreeCommand::Prune(args) => prune::run(ctx, args).await,
    }
}
