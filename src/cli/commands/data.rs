//! `cfn data`: copy a branch's data from another branch, snapshot and restore it.

use crate::branch::Workspace;
use crate::context::Context;
use crate::data::{clone, snapshot};
use crate::error::UserError;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Replace a branch's volumes and database (SQLite or PostgreSQL) with copies of another
    /// branch's.
    Clone(CloneArgs),
    /// Save a branch's data as a named snapshot.
    Snapshot(SnapshotArgs),
    /// Replace a branch's data with a snapshot's.
    Restore(RestoreArgs),
    /// List the repository's snapshots.
    List(ListArgs),
    /// Delete a snapshot.
    Rm(RmArgs),
}

#[derive(Debug, clap::Args)]
pub struct CloneArgs {
    /// The branch to copy from (a branch with a worktree, or `main` for the main checkout).
    #[arg(long)]
    from: String,
    /// The branch whose data is replaced (default: the checkout you are in).
    #[arg(long, short = 'b')]
    branch: Option<String>,
    /// Stop the source's services that use the copied volumes for the copy, and start them
    /// again after (without it a running source is refused).
    #[arg(long)]
    stop_source: bool,
    /// Replace the branch's data without asking (needed when there is no terminal).
    #[arg(long, short = 'y')]
    yes: bool,
}

#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// The snapshot's name (default: `<branch>-<UTC time>`).
    name: Option<String>,
    /// The branch (default: the checkout you are in).
    #[arg(long, short = 'b')]
    branch: Option<String>,
    /// Stop the branch's services that use its volumes while saving, and start them again after
    /// (without it a running stack is refused).
    #[arg(long)]
    stop: bool,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The snapshot.
    name: String,
    /// The branch whose data is replaced (default: the checkout you are in).
    #[arg(long, short = 'b')]
    branch: Option<String>,
    /// Replace the branch's data without asking (needed when there is no terminal).
    #[arg(long, short = 'y')]
    yes: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print the snapshots as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct RmArgs {
    /// The snapshot.
    name: String,
}

pub async fn run(ctx: &Context, cmd: DataCommand) -> Result<()> {
    match cmd {
        DataCommand::Clone(args) => run_clone(ctx, args).await,
        DataCommand::Snapshot(args) => run_snapshot(ctx, args).await,
        DataCommand::Restore(args) => run_restore(ctx, args).await,
        DataCommand::List(args) => run_list(ctx, args),
        DataCommand::Rm(args) => {
            let ws = Workspace::open(ctx)?;
            snapshot::remove(ctx, &ws, &args.name)?;
            ctx.say(format!("deleted snapshot {}", args.name));
            Ok(())
        }
    }
}

/// Asks before replacing `branch`'s data: a prompt on a terminal, else `--yes` is needed.
fn confirm_replace(ctx: &Context, yes: bool, branch: &str, with: &str) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !ctx.interactive() {
        return Err(UserError::usage(format!(
            "refusing to replace the data of {branch} without confirmation"
        ))
        .hint("pass --yes to replace it")
        .into());
    }
    let prompt = format!("Replace all data of {branch} with {with}?");
    if ctx.confirm(&prompt, false)? {
        Ok(())
    } else {
        Err(UserError::new("cancelled; nothing was changed").into())
    }
}

async fn run_clone(ctx: &Context, args: CloneArgs) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let source = crate::data::source::branch_env(&ws, &args.from)?;
    let (_lock, target) = crate::branch::lock::lock_branch(ctx, &ws, args.branch.as_deref(), "data clone")?;
    if source.project == target.project {
        return Err(UserError::usage(format!("{} is both the source and the target", target.branch))
            .hint("pass --from another branch, or -b the branch to copy into")
            .into());
    }
    confirm_replace(ctx, args.yes, &target.branch, &format!("a copy of {}'s", source.branch))?;
    let copied = clone::clone(ctx, &ws, &source, &target, args.stop_source).await?;
    ctx.say(format!(
        "copied the data of {} into {}: {}",
        source.branch,
        target.branch,
        list_or_none(&copied)
    ));
    Ok(())
}

async fn run_snapshot(ctx: &Context, args: SnapshotArgs) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let (_lock, branch) =
        crate::branch::lock::lock_branch(ctx, &ws, args.branch.as_deref(), "data snapshot")?;
    let name = args.name.unwrap_or_else(|| default_name(&branch.branch));
    let meta = snapshot::take(ctx, &ws, &branch, &name, args.stop).await?;
    let items: Vec<String> =
        meta.volumes.iter().map(|v| v.key.clone()).chain(meta.sqlite.then(|| "SQLite".into())).collect();
    ctx.say(format!(
        "saved snapshot {name} of {} ({} bytes): {}",
        branch.branch,
        meta.size,
        list_or_none(&items)
    ));
    Ok(())
}

async fn run_restore(ctx: &Context, args: RestoreArgs) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let (dir, meta) = snapshot::read(ctx, &ws, &args.name)?;
    let (_lock, branch) = crate::branch::lock::lock_branch(ctx, &ws, args.branch.as_deref(), "data restore")?;
    confirm_replace(ctx, args.yes, &branch.branch, &format!("snapshot {}", args.name))?;
    let restored = snapshot::restore(ctx, &ws, &branch, &dir, &meta).await?;
    ctx.say(format!("restored snapshot {} into {}: {}", args.name, branch.branch, list_or_none(&restored)));
    Ok(())
}

fn run_list(ctx: &Context, args: ListArgs) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let all = snapshot::list(ctx, &ws)?;
    if args.json {
        return crate::cli::output::json(&all);
    }
    if all.is_empty() {
        ctx.say("no snapshots");
        return Ok(());
    }
    for m in all {
        let version = m.migration_version.map(|v| format!(" migration {v}")).unwrap_or_default();
        println!("{}\t{}\t{}\t{} bytes{version}", m.name, m.branch, m.created_at, m.size);
    }
    Ok(())
}

fn default_name(branch: &str) -> String {
    let safe: String = branch
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .collect();
    let time = crate::migrate::target::now_rfc3339().replace([':', '-'], "");
    format!("{}-{time}", safe.trim_start_matches(['.', '-']))
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "nothing to copy".into()
    } else {
        items.join(", ")
    }
}
