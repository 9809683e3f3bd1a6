//! `cfn up`: starts the branch's stack, waits until it is ready, migrates and checks it.

use crate::branch::Workspace;
use crate::context::Context;
use crate::stack::{self, UpOptions};
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

/// What to bring up, and how: `cfn up`'s arguments without their printing.
pub struct UpRequest {
    pub branch: Option<String>,
    pub services: Vec<String>,
    pub timeout: Duration,
    pub wait: bool,
    /// Trust what the repository makes `up` run without asking.
    pub yes: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let request = UpRequest {
        branch: args.branch,
        services: args.services,
        timeout: Duration::from_secs(args.timeout),
        wait: !args.no_wait,
        yes: args.yes,
    };
    let (project, endpoints) = bring_up(ctx, request)?;
    crate::proxy::on_up(ctx);
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

/// Starts the branch's stack, waits until it is ready and healthy (unless `wait` is off) and
/// returns its compose project and endpoints. Progress goes to stderr.
pub fn bring_up(ctx: &Context, request: UpRequest) -> Result<(String, Vec<stack::Endpoint>)> {
    let ws = Workspace::open(ctx)?;
    let (_lock, branch) = crate::branch::lock::lock_branch(ctx, &ws, request.branch.as_deref(), "up")?;
    stack::check_services(&ws, &branch, &request.services)?;
    // What the repository makes `up` run (health commands, migrations) is trusted before
    // anything starts, so a refusal leaves nothing half done.
    if request.wait {
        let mut items = crate::branch::trust::inventory::health(&ws, &branch)?;
        if ws.config.migrations.on_up {
            items.extend(crate::branch::trust::inventory::migrations(&ws, &branch)?);
        }
        crate::branch::trust::require(ctx, &ws, &items, request.yes)?;
    }
    let handle = stack::prepare(&ws, &branch)?;
    let opts = UpOptions { timeout: request.timeout, wait: request.wait, services: request.services };
    let mut progress = crate::cli::progress::Progress::new(ctx.quiet);
    let started = stack::up(ctx, &branch, &handle, &opts, &mut progress)?;
    if opts.wait {
        crate::branch::migrations::migrate_on_up(ctx, &ws, &branch, request.yes)?;
        let results = crate::branch::health::run(ctx, &ws, &branch, request.yes)?;
        if let Some(err) = crate::branch::health::failure(&results) {
            super::health::print(&results)?;
            return Err(err);
        }
        for r in &results {
            ctx.say(format!("health {}: {}", r.name, r.message));
        }
        crate::branch::project_hooks::run(
            ctx,
            &ws,
            &branch,
            crate::branch::project_hooks::HookPoint::PostUp,
            request.yes,
        )?;
    }
    let mut endpoints = stack::endpoints(&*ws.config_of(&branch)?, &branch);
    if opts.wait {
        // A key of a service that did not start (a profile not active, a service not named)
        // is no endpoint of this stack, nor is a one-shot service that ran and exited 0: only
        // what runs is listed.
        endpoints.retain(|e| {
            started.iter().any(|c| c.service == e.service && c.state == crate::engine::RunState::Running)
        });
    }
    Ok((branch.project, endpoints))
}
