//! `cfn manpage`: writes the man page.

use crate::context::Context;
use anyhow::Result;
use clap::CommandFactory as _;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Context, _args: Args) -> Result<()> {
    clap_mangen::Man::new(crate::cli::Cli::command()).render(&mut std::io::stdout())?;
    Ok(())
}
