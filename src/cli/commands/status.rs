//! `cfn status`: every branch, its slot, ports and services.

use super::view::{ports_inline, WorktreeView};
use crate::branch::{BranchEnv, Workspace};
use crate::cli::commands::args::JsonArg;
use crate::context::Context;
use crate::engine::{ContainerInfo, Engine};
use crate::state::{self, State};
use anyhow::Result;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Every repository on this machine, not only this one.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    json: JsonArg,
}

/// One worktree with the state of its services: what `status --json` prints per worktree.
#[derive(Serialize)]
pub struct StatusView {
    #[serde(flatten)]
    worktree: WorktreeView,
    services: Vec<ContainerInfo>,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let envs = if args.all { all_repositories(ctx)? } else { Workspace::open(ctx)?.all_envs()? };
    let views = views(&envs)?;
    if args.json.on {
        return crate::cli::output::json(&views);
    }
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            let services = if v.services.is_empty() {
                "-".to_string()
            } else {
                v.services
                    .iter()
                    .map(|c| format!("{}:{}", c.service, crate::stack::describe_short(c)))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            vec![
                v.worktree.branch.clone(),
                v.worktree.slot.to_string(),
                v.worktree.project.clone(),
                ports_inline(&v.worktree.ports),
                services,
            ]
        })
        .collect();
    crate::cli::output::table(&["BRANCH", "SLOT", "PROJECT", "PORTS", "SERVICES"], &rows)
}

/// Each environment with its services' state, from one engine query filtered by label.
pub fn views(envs: &[BranchEnv]) -> Result<Vec<StatusView>> {
    let projects: Vec<&str> = envs.iter().map(|e| e.project.as_str()).collect();
    let containers = crate::runtime::wait(async {
        let engine = Engine::connect().await?;
        engine.containers(&projects).await
    })??;
    Ok(envs
        .iter()
        .map(|env| StatusView {
            worktree: WorktreeView::from(env),
            services: containers.iter().filter(|c| c.project == env.project).cloned().collect(),
        })
        .collect())
}

/// The environments of every registered repository whose checkout still exists.
fn all_repositories(ctx: &Context) -> Result<Vec<BranchEnv>> {
    let repos = state::list_repositories(State::open(&ctx.home)?.conn())?;
    let mut envs = Vec::new();
    for repo in repos {
        if !repo.root.is_dir() {
            ctx.warn(format!(
                "repository {} is gone; `cfn worktree prune --all` forgets it",
                repo.root.display()
            ));
            continue;
        }
        let repo_ctx = Context { cwd: repo.root.clone(), ..ctx.clone() };
        match Workspace::open(&repo_ctx) {
            Ok(ws) => envs.extend(ws.all_envs()?),
            Err(e) => ctx.warn(format!("skipping {}: {e}", repo.root.display())),
        }
    }
    Ok(envs)
}
