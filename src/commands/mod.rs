//! One file per subcommand: its arguments, and one function that calls into the domain.

mod compose;
mod env;
mod init;
mod ports;
mod view;
mod worktree;

use crate::context::Context;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write cfn.toml from the compose files and set up the main checkout.
    Init(init::Args),
    /// Create, list, remove and prune worktrees.
    #[command(subcommand)]
    Worktree(worktree::WorktreeCommand),
    /// Show a branch's host ports.
    Ports(ports::Args),
    /// Print a branch's environment variables.
    Env(env::Args),
    /// Run compose with the branch's project name, files and variables.
    Compose(compose::Args),
}

pub fn run(ctx: &Context, command: Command) -> Result<()> {
    match command {
        Command::Init(args) => init::run(ctx, args),
        Command::Worktree(cmd) => worktree::run(ctx, cmd),
        Command::Ports(args) => ports::run(ctx, args),
        Command::Env(args) => env::run(ctx, args),
        Command::Compose(args) => compose::run(ctx, args),
    }
}
