//! `cfn migrate up|down|status`: the branch's database migrations.

use crate::branch;
use crate::branch::Workspace;
use crate::cli::commands::args::{BranchArg, JsonArg};
use crate::context::Context;
use crate::migrate::{self, Report, StatusRow};
use anyhow::Result;

#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
enum Action {
    /// Show every migration: applied, pending, changed or missing its file.
    #[default]
    Status,
    /// Apply pending migrations (up to --to).
    Up,
    /// Revert the latest migration (or everything above --to).
    Down,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(value_enum, default_value = "status")]
    action: Action,
    /// Target version: up to it, or down to it (0 reverts everything).
    #[arg(long, value_name = "N")]
    to: Option<i64>,
    /// Show what would run, change nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    branch: BranchArg,
    /// Trust the checkout's migration files without asking (see `cfn trust`).
    #[arg(long, short = 'y')]
    yes: bool,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    // Applying or reverting excludes up, down and removal of the branch; reading does not.
    let (_lock, branch) = match args.action {
        Action::Status => (None, ws.branch_env(args.branch.name.as_deref())?),
        Action::Up | Action::Down => {
            let (lock, branch) =
                crate::branch::lock::lock_branch(ctx, &ws, args.branch.name.as_deref(), "migrate")?;
            (Some(lock), branch)
        }
    };
    let available = branch::migrations::migrations(&ws, &branch)?;
    if matches!(args.action, Action::Up | Action::Down) && !args.dry_run {
        branch::migrations::require_trusted(ctx, &ws, &branch, args.yes)?;
    }
    match args.action {
        Action::Status => {
            let rows = branch::migrations::with_target(&ws, &branch, |t| migrate::status(t, &available))?;
            print_status(&rows, args.json.on)
        }
        Action::Up => {
            let report = branch::migrations::with_target(&ws, &branch, |t| {
                migrate::up(t, &available, args.to, args.dry_run)
            })?;
            print_report(ctx, &report, args.json.on)
        }
        Action::Down => {
            let report = branch::migrations::with_target(&ws, &branch, |t| {
                migrate::down(t, &available, args.to, args.dry_run)
            })?;
            print_report(ctx, &report, args.json.on)
        }
    }
}

fn print_status(rows: &[StatusRow], json: bool) -> Result<()> {
    if json {
        return crate::cli::output::json(&rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.version.to_string(),
                r.name.clone(),
                serde_json::to_value(r.state)?.as_str().unwrap_or_default().to_string(),
                r.applied_at.clone().unwrap_or_default(),
            ]
            .into_iter()
            .map(Ok)
            .collect::<Result<Vec<String>, serde_json::Error>>()
        })
        .collect::<Result<_, _>>()?;
    crate::cli::output::table(&["VERSION", "NAME", "STATE", "APPLIED"], &table)
}

fn print_report(ctx: &Context, report: &Report, json: bool) -> Result<()> {
    if json {
        return crate::cli::output::json(report);
    }
    let verb = match (report.direction, report.dry_run) {
        (migrate::Direction::Up, false) => "applied",
        (migrate::Direction::Up, true) => "would apply",
        (migrate::Direction::Down, false) => "reverted",
        (migrate::Direction::Down, true) => "would revert",
    };
    if report.steps.is_empty() {
        ctx.say("nothing to do");
    }
    for step in &report.steps {
        let took = step.duration_ms.map(|ms| format!(" in {ms} ms")).unwrap_or_default();
        ctx.say(format!("{verb} {} {}{took}", step.version, step.name));
    }
    Ok(())
}
