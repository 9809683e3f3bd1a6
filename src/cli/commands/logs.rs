//! `cfn logs`: the branch's services' logs, through compose.

use crate::branch;
use crate::branch::Workspace;
use crate::cli::commands::args::BranchArg;
use crate::compose::runner;
use crate::context::Context;
use crate::error::SilentExit;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Services whose logs to show (default: all).
    services: Vec<String>,
    /// Keep following the logs.
    #[arg(long, short = 'f')]
    follow: bool,
    /// Lines to show from the end of each log.
    #[arg(long, value_name = "N")]
    tail: Option<String>,
    #[command(flatten)]
    branch: BranchArg,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let branch = ws.branch_env(args.branch.name.as_deref())?;
    crate::stack::check_services(&ws, &branch, &args.services)?;
    let files = branch::files::render(&ws, &branch)?;
    let tool = runner::detect()?;
    let mut compose_args = vec!["logs".to_string()];
    if args.follow {
        compose_args.push("--follow".into());
    }
    if let Some(n) = args.tail {
        compose_args.push(format!("--tail={n}"));
    }
    compose_args.extend(args.services);
    let status =
        tool.command(&files.project(&branch.project), &compose_args).cwd(&branch.path).interactive()?;
    match status.code() {
        Some(0) => Ok(()),
        code => Err(SilentExit(code.unwrap_or(crate::error::exit::FAILURE)).into()),
    }
}
