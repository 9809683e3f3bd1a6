//! cfn: every git branch its own isolated, running environment — worktree, collision-free
//! ports, rendered env and compose files — and a multi-agent work loop against it.

pub mod agents;
pub mod branch_config;
pub mod branch_db;
pub mod branch_health;
pub mod branch_lock;
pub mod bus;
pub mod bus_choice;
pub mod cli;
pub mod commands;
pub mod compose;
pub mod config;
pub mod context;
pub mod crash_point;
pub mod data;
pub mod doctor;
pub mod engine;
pub mod error;
pub mod git;
pub mod health;
pub mod hooks;
pub mod identity;
pub mod init;
pub mod init_dotenv;
pub mod interrupt;
pub mod lifecycle;
pub mod mcp;
pub mod migrate;
pub mod names;
pub mod output;
pub mod pg;
pub mod plain_compose;
pub mod ports;
pub mod process;
pub mod proxy;
pub mod rebuild;
pub mod reference;
pub mod render;
pub mod runtime;
pub mod safe_path;
pub mod stack;
pub mod stack_files;
pub mod state;
pub mod token;
pub mod trust;
pub mod workloop;
pub mod workspace;
pub mod worktrees;

use anyhow::Result;

/// Runs a parsed command line.
pub fn run(cli: cli::Cli) -> Result<()> {
    let cwd = match cli.dir {
        Some(dir) => {
            let cwd = std::env::current_dir()?.join(&dir);
            if !cwd.is_dir() {
                let what = if cwd.exists() { "is not a directory" } else { "does not exist" };
                return Err(error::UserError::usage(format!("-C {}: the directory {what}", dir.display()))
                    .hint("pass -C the path of a checkout (or any folder inside one)")
                    .into());
            }
            cwd
        }
        None => std::env::current_dir()?,
    };
    let ctx = context::Context { cwd, home: state::home_dir()?, quiet: cli.quiet, verbose: cli.verbose };
    commands::run(&ctx, cli.command)
}
