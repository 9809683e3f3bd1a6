//! `cfn results post|collect`: the bus's per-task results, from the shell.

use super::bus_args::{seconds, with_bus, BusArgs, TaskArg};
use crate::context::Context;
use crate::error::{exit, UserError};
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ResultsCommand {
    /// Wait until enough distinct agents reported, then print their results as JSON.
    Collect(CollectArgs),
}

#[derive(Debug, clap::Args)]
pub struct CollectArgs {
    #[command(flatten)]
    task: TaskArg,
    /// How many agents are expected.
    #[arg(long)]
    expected: usize,
    /// Fraction of the expected agents needed: returns after ceil(expected × threshold).
    #[arg(long, default_value = "1.0")]
    threshold: f64,
    /// Seconds to wait.
    #[arg(long, default_value = "300")]
    timeout: f64,
    #[arg(long, env = "CFN_ITERATION", default_value = "1")]
    iteration: u32,
    #[command(flatten)]
    bus: BusArgs,
}

pub async fn run(ctx: &Context, cmd: ResultsCommand) -> Result<()> {
    let ResultsCommand::Collect(a) = cmd;
    let timeout = seconds(a.timeout)?;
    let task = a.task.task_id.clone();
    let collected = with_bus(ctx, &a.bus, |bus| async move {
        bus.results_collect(&task, a.iteration, a.expected, a.threshold, timeout).await
    })
    .await?;
    crate::cli::output::json(&collected)?;
    if collected.complete {
        Ok(())
    } else {
        Err(UserError::new(format!(
            "only {} of the {} agents needed reported within {}s",
            collected.reports.len(),
            collected.needed,
            a.timeout
        ))
        .hint("raise --timeout or lower --threshold; `-v` names the bus the agents must report to")
        .code(exit::TIMEOUT)
        .into())
    }
}
