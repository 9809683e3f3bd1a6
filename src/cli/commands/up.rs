//! `cfn up`: starts the branch's stack, waits until it is ready, migrates and checks it.

use crate::context::Context;
use crate::stack::{self, UpOutcome, UpRequest};
use anyhow::Result;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Services to start (default: all).
    services: Vec<String>,
    /// Seconds to wait for every service to be ready.
    #[arg(long, default_value = "120", value_name = "SECS")]
    timeout: u64,
    /// Start the stack and return without waiting.
    #[arg(long)]
    no_wait: bool,
    /// The branch (default: the checkout you are in).
    #[arg(long, short = 'b')]
    branch: Option<String>,
    /// Trust what the repository makes `up` run (health commands, migrations, post_up hooks)
    /// without asking.
    #[arg(long, short = 'y')]
    yes: bool,
    /// Print the endpoints as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    let request = UpRequest {
        branch: args.branch,
        services: args.services,
        timeout: Duration::from_secs(args.timeout),
        wait: !args.no_wait,
        yes: args.yes,
    };
    let mut progress = crate::cli::progress::Progress::new(ctx.quiet);
    let (project, endpoints) = match stack::bring_up(ctx, request, &mut progress).await? {
        UpOutcome::Up { project, endpoints } => (project, endpoints),
        UpOutcome::Unhealthy { results, error } => {
            super::health::print(&results)?;
            return Err(error);
        }
    };
    if args.json {
        return crate::cli::output::json(&endpoints);
    }
    ctx.say(format!("{project} is up"));
    let rows: Vec<Vec<String>> =
        endpoints.iter().map(|e| vec![e.service.clone(), e.port.to_string(), e.url.clone()]).collect();
    if !rows.is_empty() {
        crate::cli::output::table(&["SERVICE", "PORT", "URL"], &rows)?;
    }
    Ok(())
}
