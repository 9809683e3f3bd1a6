//! The command line: global flags and the subcommand tree (clap derive).

use crate::commands::Command;
use clap::Parser;
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
