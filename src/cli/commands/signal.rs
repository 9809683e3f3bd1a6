//! `cfn signal send|wait`: the bus's signals, from the shell.

use super::bus_args::{seconds, with_bus, within_limit, BusArgs, TaskArg};
use crate::context::Context;
use crate::error::{exit, UserError};
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SignalCommand {
    /// Send a signal on a channel: every waiter wakes, and later waiters still see it.
    Send(SendArgs),
    /// Wait for a signal on a channel and print its payload (exit 124 on timeout).
    Wait(WaitArgs),
}

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    #[command(flatten)]
    task: TaskArg,
    #[arg(long)]
    channel: String,
    #[arg(long, default_value = "")]
    payload: String,
    #[command(flatten)]
    bus: BusArgs,
}

#[derive(Debug, clap::Args)]
pub struct WaitArgs {
    #[command(flatten)]
    task: TaskArg,
    #[arg(long)]
    channel: String,
    /// Seconds to wait.
    #[arg(long, default_value = "60")]
    timeout: f64,
    #[command(flatten)]
    bus: BusArgs,
}

pub async fn run(ctx: &Context, cmd: SignalCommand) -> Result<()> {
    match cmd {
        SignalCommand::Send(a) => {
            within_limit("signal payload", a.payload.len())?;
            with_bus(ctx, &a.bus, |bus| async move {
                bus.signal_send(&a.task.task_id, &a.channel, &a.payload).await
            })
            .await?;
            Ok(())
        }
        SignalCommand::Wait(a) => {
            let timeout = seconds(a.timeout)?;
            let (task, channel) = (a.task.task_id.clone(), a.channel.clone());
            let got =
                with_bus(ctx, &a.bus, |bus| async move { bus.signal_wait(&task, &channel, timeout).await })
                    .await?;
            match got {
                Some(payload) => {
                    crate::cli::output::line(format_args!("{payload}"))?;
                    Ok(())
                }
                None => Err(UserError::new(format!(
                    "no signal on channel {} of task {} within {}s",
                    a.channel, a.task.task_id, a.timeout
                ))
                .hint("raise --timeout, or check that the sender uses the same bus (`-v` names it)")
                .code(exit::TIMEOUT)
                .into()),
            }
        }
    }
}
