//! The flags every coordination command shares, and running one async step against the bus.

use crate::bus::Bus;
use crate::bus_choice;
use crate::context::Context;
use anyhow::Result;
use std::future::Future;

#[derive(Debug, clap::Args)]
pub struct BusArgs {
    /// Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack's Redis,
    /// else the embedded bus).
    #[arg(long, value_name = "URL")]
    pub redis_url: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct TaskArg {
    /// The task (loop run) id.
    #[arg(long, env = "CFN_TASK_ID", value_name = "T")]
    pub task_id: String,
}

/// Opens the bus and runs `f` on it; bus errors become user errors.
pub fn with_bus<T, F, Fut>(ctx: &Context, args: &BusArgs, f: F) -> Result<T>
where
    F: FnOnce(Bus) -> Fut,
    Fut: Future<Output = Result<T, crate::bus::BusError>>,
{
    let choice = bus_choice::choose(ctx, args.redis_url.as_deref())?;
    crate::runtime::block_on(async {
        let bus = bus_choice::open(ctx, &choice).await?;
        f(bus).await.map_err(|e| bus_choice::user_error(e, Some(&choice)))
    })?
}

/// `@path` reads a file; anything else is the value itself.
pub fn value_or_file(value: &str) -> Result<String> {
    match value.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            crate::error::UserError::usage(format!("cannot read {path}: {e}"))
                .hint("@<file> reads the value from that file; pass the value itself without @")
                .into()
        }),
        None => Ok(value.to_string()),
    }
}

/// Seconds from the command line as a Duration, refusing negatives and NaN.
pub fn seconds(secs: f64) -> Result<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(secs).map_err(|_| {
        crate::error::UserError::usage(format!("not a number of seconds: {secs}"))
            .hint("pass a number of seconds of 0 or more, e.g. 30 or 0.5")
            .into()
    })
}
