//! `cfn loop run|status|…`: the multi-agent work loop.

use crate::agents::Mode;
use crate::branch::Workspace;
use crate::context::Context;
use crate::error::UserError;
use crate::workloop::{self, RunOptions, RunStatus};
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum LoopCommand {
    /// Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED).
    Run(RunArgs),
    /// Continue a run whose coordinator died, or that was interrupted, from its last finished step.
    Resume(ResumeArgs),
    /// Show a run and its events (live with --follow).
    Status(StatusArgs),
    /// List the runs on this machine, newest first.
    List(ListArgs),
    /// Kill one agent of a live run (its coordinator kills it and records it; the run goes on).
    KillAgent(super::loop_control::KillAgentArgs),
    /// Add an agent profile of cfn.toml to a live run, from the next phase of its role.
    AddAgent(super::loop_control::AddAgentArgs),
    /// Give the decision a run waits for (its product owner is a person).
    Decide(super::loop_control::DecideArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// What to build; reaches agents verbatim in their context file. `-` reads it from stdin
    /// (arguments are visible to every user in the process list).
    #[arg(long, required_unless_present = "epic_file", conflicts_with = "epic_file")]
    epic: Option<String>,
    /// Read the epic from a file.
    #[arg(long, value_name = "PATH")]
    epic_file: Option<std::path::PathBuf>,
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
    /// Trust the agents' commands of cfn.toml without asking (see `cfn trust`).
    #[arg(long, short = 'y')]
    yes: bool,
    /// With `[loop] isolation = "worktrees"`: keep an implementer's worktree whose change could
    /// not be merged, and every worktree of a run that fails, for you to look at.
    #[arg(long)]
    keep: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ResumeArgs {
    /// The run to continue (`cfn loop list` shows them; `interrupted` ones can be resumed).
    task_id: String,
    #[command(flatten)]
    bus: super::bus_args::BusArgs,
    /// Trust the agents' commands of cfn.toml without asking (see `cfn trust`).
    #[arg(long, short = 'y')]
    yes: bool,
    /// With `[loop] isolation = "worktrees"`: keep an implementer's worktree whose change could
    /// not be merged, and every worktree of a run that fails, for you to look at.
    #[arg(long)]
    keep: bool,
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

pub async fn run(ctx: &Context, cmd: LoopCommand) -> Result<()> {
    match cmd {
        LoopCommand::Run(a) => run_loop(ctx, a).await,
        LoopCommand::Resume(a) => resume_loop(ctx, a).await,
        LoopCommand::Status(a) => super::loop_status::status(ctx, &a.task_id, a.follow, a.json),
        LoopCommand::List(a) => super::loop_status::list(ctx, a.json),
        LoopCommand::KillAgent(a) => super::loop_control::kill_agent(ctx, a),
        LoopCommand::AddAgent(a) => super::loop_control::add_agent(ctx, a),
        LoopCommand::Decide(a) => super::loop_control::decide(ctx, a),
    }
}

async fn run_loop(ctx: &Context, a: RunArgs) -> Result<()> {
    let epic = read_epic(a.epic.as_deref(), a.epic_file.as_deref())?;
    let ws = Workspace::open(ctx)?;
    let branch = ws.branch_env(a.branch.as_deref())?;
    let bus = a.bus.choose_at_task_start(ctx)?;
    let opts = RunOptions {
        epic,
        task_id: a.task_id,
        mode: a.mode,
        max_iterations: a.max_iterations,
        high_complexity: a.high_complexity,
        cost_sensitive: a.cost_sensitive,
        bus,
        yes: a.yes,
        keep: a.keep,
    };
    let summary = workloop::run(ctx, &ws, &branch, opts).await?;
    conclude(ctx, summary, a.json)
}

async fn resume_loop(ctx: &Context, a: ResumeArgs) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let bus = a.bus.choose_at_task_start(ctx)?;
    let summary = workloop::resume(ctx, &ws, &a.task_id, bus, a.yes, a.keep).await?;
    conclude(ctx, summary, a.json)
}

/// Prints how a run ended; exit 0 only on PROCEED, 3 on a budget, else 1.
fn conclude(ctx: &Context, summary: workloop::Summary, json: bool) -> Result<()> {
    if json {
        crate::cli::output::json(&summary)?;
    } else {
        ctx.say(format!(
            "task {}: {} after {} iteration(s)",
            summary.task_id, summary.status, summary.iterations
        ));
    }
    if summary.status == RunStatus::Proceed {
        Ok(())
    } else {
        let reason = summary.reason.unwrap_or_else(|| summary.status.to_string());
        let err = UserError::new(format!("loop {} ended without PROCEED: {reason}", summary.task_id))
            .hint(format!("`cfn loop status {}` shows every step", summary.task_id));
        // A run stopped by its budget is told apart from one that failed (docs/exit-codes.md).
        let code = if summary.status == RunStatus::Budget { crate::error::exit::BUDGET } else { err.code };
        Err(err.code(code).into())
    }
}

/// The epic from `--epic TEXT`, `--epic -` (stdin) or `--epic-file PATH`; never empty.
fn read_epic(text: Option<&str>, file: Option<&std::path::Path>) -> Result<String> {
    let epic = match (text, file) {
        (Some("-"), _) => std::io::read_to_string(std::io::stdin())
            .map_err(|e| UserError::usage(format!("cannot read the epic from stdin: {e}")))?,
        (Some(text), _) => text.to_string(),
        (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
            UserError::usage(format!("cannot read the epic file {}: {e}", path.display()))
                .hint("pass a readable UTF-8 file to --epic-file")
        })?,
        (None, None) => String::new(),
    };
    if epic.trim().is_empty() {
        return Err(UserError::usage("the epic is empty")
            .hint("say what to build with --epic, --epic - or --epic-file")
            .into());
    }
    Ok(epic)
}
