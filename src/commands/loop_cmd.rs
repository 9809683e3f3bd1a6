use crate::agents::Mode;
use crate::context::Context;
use crate::error::UserError;
use crate::workloop::{self, RunOptions};
use crate::workspace::Workspace;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum LoopCommand {
    /// Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED).
    Run(RunArgs),
    /// Show a run and its events (live with --follow).
    Status(StatusArgs),
    /// List the runs on this machine, newest first.
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// What to build; reaches agents verbatim in their context file.
    #[arg(long)]
    epic: String,
    /// The task id (default: a new one).
    #[arg(long)]
    task_id: Option<String>,
    #[arg(long, value_enum)]
    mode: Option<Mode>,
    #[arg(long, value_name = "N")]
    max_iterations: Option<u32>,
    /// Route agents without a provider to CFN_HIGH_COMPLEXITY_PROVIDER.
    #[arg(long)]
    high_complexity: bool,
    /// Route agents without a provider to CFN_COST_PROVIDER.
    #[arg(long)]
    cost_sensitive: bool,
    /// The branch (default: the checkout you are in).
    #[arg(long, short = 'b')]
    branch: Option<String>,
    #[command(flatten)]
    bus: super::bus_args::BusArgs,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    task_id: String,
    /// Keep printing events until the run ends.
    #[arg(long, short = 'f')]
    follow: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, cmd: LoopCommand) -> Result<()> {
    match cmd {
        LoopCommand::Run(a) => run_loop(ctx, a),
        LoopCommand::Status(a) => super::loop_status::status(ctx, &a.task_id, a.follow, a.json),
        LoopCommand::List(a) => super::loop_status::list(ctx, a.json),
    }
}

fn run_loop(ctx: &Context, a: RunArgs) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let branch = ws.branch_env(a.branch.as_deref())?;
    let opts = RunOptions {
        epic: a.epic,
        task_id: a.task_id,
        mode: a.mode,
        max_iterations: a.max_iterations,
        high_complexity: a.high_complexity,
        cost_sensitive: a.cost_sensitive,
        redis_url: a.bus.redis_url,
    };
    let summary = workloop::run(ctx, &ws, &branch, opts)?;
    if a.json {
        crate::output::json(&summary)?;
    } else {
        ctx.say(format!(
            "task {}: {} after {} iteration(s)",
            summary.task_id, summary.status, summary.iterations
        ));
    }
    if summary.status == "proceed" {
        Ok(())
    } else {
        let reason = summary.reason.unwrap_or_else(|| summary.status.clone());
        Err(UserError::new(format!("loop {} ended without PROCEED: {reason}", summary.task_id))
            .hint(format!("`cfn loop status {}` shows every step", summary.task_id))
            .into())
    }
}
