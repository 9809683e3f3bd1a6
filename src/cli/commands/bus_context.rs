//! `cfn context set|get`: the bus's per-task context values, from the shell.

use super::bus_args::{value_or_file, with_bus, within_limit, BusArgs, TaskArg};
use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ContextCommand {
    /// Store a value under a key of the task.
    Store(StoreArgs),
    /// Print a stored value (exit 1 when there is none).
    Get(GetArgs),
}

#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    #[command(flatten)]
    task: TaskArg,
    #[arg(long)]
    key: String,
    /// The value, or @file to read it from a file.
    #[arg(long)]
    value: String,
    /// Seconds before it expires (default: 24 h).
    #[arg(long)]
    ttl: Option<f64>,
    #[command(flatten)]
    bus: BusArgs,
}

#[derive(Debug, clap::Args)]
pub struct GetArgs {
    #[command(flatten)]
    task: TaskArg,
    #[arg(long)]
    key: String,
    #[command(flatten)]
    bus: BusArgs,
}

pub async fn run(ctx: &Context, cmd: ContextCommand) -> Result<()> {
    match cmd {
        ContextCommand::Store(a) => {
            let value = value_or_file(&a.value)?;
            within_limit("context value", value.len())?;
            let ttl = a.ttl.map(super::bus_args::seconds).transpose()?;
            with_bus(ctx, &a.bus, |bus| async move {
                bus.context_store(&a.task.task_id, &a.key, &value, ttl).await
            })
            .await
        }
        ContextCommand::Get(a) => {
            let (task, key) = (a.task.task_id.clone(), a.key.clone());
            match with_bus(ctx, &a.bus, |bus| async move { bus.context_get(&task, &key).await }).await? {
                Some(value) => {
                    crate::cli::output::line(format_args!("{value}"))?;
                    Ok(())
                }
                None => Err(UserError::new(format!("no value for key {} of task {}", a.key, a.task.task_id))
                    .hint("store it with `cfn context store`; values expire after their --ttl")
                    .into()),
            }
        }
    }
}
