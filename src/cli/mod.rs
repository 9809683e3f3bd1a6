//! The front-ends, the top layer: the command line — global flags and the subcommand tree
//! (clap derive), one file per command under `commands/`, the terminal (`output`, prompts
//! through [`crate::context::Context`]) and the generated reference — and the MCP server for
//! agents (`mcp/`), which calls the same command functions.
//!
//! Nothing below this layer prints, prompts or parses arguments; see docs/architecture.md.

pub mod commands;
pub mod mcp;
pub mod output;
pub mod portal;
pub mod progress;
pub mod reference;

use crate::{context, error, runtime, state};
use anyhow::Result;
use clap::Parser;
use commands::Command;
use std::path::PathBuf;

/// Isolated, running environments per git branch, and a multi-agent loop against them.
#[derive(Debug, Parser)]
#[command(name = "cfn", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Run as if started in DIR.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Print only results and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Say more about what happens (repeatable).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
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
    runtime::run(commands::run(&ctx, cli.command))?
}
