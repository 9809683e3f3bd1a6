//! `cfn health`: runs the branch's health checks and prints their results.

use crate::branch;
use crate::branch::Workspace;
use crate::cli::commands::args::{BranchArg, JsonArg};
use crate::context::Context;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    branch: BranchArg,
    /// Trust the health `command` checks of cfn.toml without asking (see `cfn trust`).
    #[arg(long, short = 'y')]
    yes: bool,
    #[command(flatten)]
    json: JsonArg,
}

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let branch = ws.branch_env(args.branch.name.as_deref())?;
    let results = branch::health::run(ctx, &ws, &branch, args.yes).await?;
    if args.json.on {
        crate::cli::output::json(&results)?;
    } else if results.is_empty() {
        ctx.say("no health checks configured ([health.<name>] in cfn.toml)");
    } else {
        print(&results)?;
    }
    match branch::health::failure(&results) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// Prints results as a table (name, kind, ok/FAIL, message).
pub(super) fn print(results: &[crate::health::CheckResult]) -> Result<()> {
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            let state = if r.ok { "ok" } else { "FAIL" };
            vec![r.name.clone(), r.kind.to_string(), state.to_string(), r.message.clone()]
        })
        .collect();
    crate::cli::output::table(&["CHECK", "KIND", "STATE", "MESSAGE"], &rows)
}
