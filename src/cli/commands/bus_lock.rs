//! `cfn lock acquire|release`: the bus's named locks, from the shell.

use super::bus_args::{seconds, with_bus, BusArgs};
use crate::bus::LockToken;
use crate::context::Context;
use crate::error::{exit, UserError};
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum LockCommand {
    /// Take a lock and print its token (exit 124 if it could not be had in time).
    Acquire(AcquireArgs),
    /// Release a lock; only its holder's token can.
    Release(ReleaseArgs),
}

#[derive(Debug, clap::Args)]
pub struct AcquireArgs {
    #[arg(long)]
    resource: String,
    /// Seconds the lock is held at most.
    #[arg(long, default_value = "60")]
    ttl: f64,
    /// Seconds to wait for it.
    #[arg(long, default_value = "0")]
    wait: f64,
    #[command(flatten)]
    bus: BusArgs,
}

#[derive(Debug, clap::Args)]
pub struct ReleaseArgs {
    #[arg(long)]
    resource: String,
    /// The token `lock acquire` printed.
    #[arg(long)]
    token: String,
    #[command(flatten)]
    bus: BusArgs,
}

pub async fn run(ctx: &Context, cmd: LockCommand) -> Result<()> {
    match cmd {
        LockCommand::Acquire(a) => {
            let (ttl, wait) = (seconds(a.ttl)?, seconds(a.wait)?);
            let resource = a.resource.clone();
            match with_bus(ctx, &a.bus, |bus| async move { bus.lock_acquire(&resource, ttl, wait).await })
                .await?
            {
                Some(token) => {
                    crate::cli::output::line(format_args!("{token}"))?;
                    Ok(())
                }
                None => Err(UserError::new(format!("lock {} is held by another caller", a.resource))
                    .hint(
                        "wait for it with --wait <seconds>; it is freed when released or when its --ttl ends",
                    )
                    .code(exit::TIMEOUT)
                    .into()),
            }
        }
        LockCommand::Release(a) => {
            let token = LockToken::from_string(a.token.clone());
            let resource = a.resource.clone();
            let released =
                with_bus(ctx, &a.bus, |bus| async move { bus.lock_release(&resource, &token).await }).await?;
            if released {
                Ok(())
            } else {
                Err(UserError::new(format!("lock {} is not held with this token", a.resource))
                    .hint("only the holder can release a lock; an expired lock needs no release")
                    .into())
            }
        }
    }
}
