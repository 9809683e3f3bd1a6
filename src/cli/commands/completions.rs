//! `cfn completions SHELL`: prints shell completions.

use crate::context::Context;
use anyhow::Result;
use clap::CommandFactory as _;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(_ctx: &Context, args: Args) -> Result<()> {
    let mut cmd = crate::cli::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "cfn", &mut std::io::stdout());
    Ok(())
}
