//! `cfn compose …`: runs compose on the branch's rendered files, as the branch's project.

use crate::branch;
use crate::branch::Workspace;
use crate::cli::commands::args::BranchArg;
use crate::compose::runner;
use crate::context::Context;
use crate::error::SilentExit;
use anyhow::Result;
use std::ffi::OsString;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    branch: BranchArg,
    /// Arguments passed to compose, e.g. `config`, `ps`, `logs -f web`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "COMPOSE_ARGS")]
    args: Vec<OsString>,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let env = ws.branch_env(args.branch.name.as_deref())?;
    crate::stack::check_services(&ws, &env, &crate::stack::services_named_in(&args.args))?;
    let files = branch::files::render(&ws, &env)?;
    let tool = runner::detect()?;
    let status = tool.command(&files.project(&env.project), &args.args).cwd(&env.path).interactive()?;
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => Err(SilentExit(code).into()),
        None => Err(SilentExit(crate::error::exit::FAILURE).into()),
    }
}
