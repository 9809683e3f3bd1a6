//! `cfn status`: every branch, its slot, ports and services.

use super::view::{ports_inline, WorktreeView};
use crate::branch::hostnames::HostUrl;
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
#[derive(Serialize, schemars::JsonSchema)]
pub struct StatusView {
    #[serde(flatten)]
    worktree: WorktreeView,
    services: Vec<ContainerInfo>,
    /// Its hostname URLs through `cfn proxy`, each with the port it goes to.
    hostnames: Vec<HostUrl>,
}

/// A branch and its hostname URLs, as [`views`] takes them.
pub struct Listed {
    pub env: BranchEnv,
    pub hostnames: Vec<HostUrl>,
}

impl Listed {
    /// `env` with its hostname URLs. A worktree whose cfn.toml does not load has none here
    /// (status still shows its ports and services; `cfn doctor` says what is wrong).
    pub fn new(ws: &Workspace, env: BranchEnv) -> Listed {
        let hostnames = crate::branch::hostnames::urls_of(ws, &env).unwrap_or_default();
        Listed { env, hostnames }
    }
}

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    let listed = if args.all { all_repositories(ctx)? } else { of_workspace(&Workspace::open(ctx)?)? };
    let views = views(listed).await?;
    if args.json.on {
        return crate::cli::output::json(&views);
    }
    let remote = views.iter().any(|v| v.worktree.engine.is_some());
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
            let mut row = vec![
                v.worktree.branch.clone(),
                v.worktree.slot.to_string(),
                v.worktree.project.clone(),
                ports_inline(&v.worktree.ports),
                services,
            ];
            if remote {
                row.insert(3, v.worktree.engine.clone().unwrap_or_else(|| "local".into()));
            }
            row
        })
        .collect();
    // The engine column only where a branch runs elsewhere: most people have one engine.
    let headers: &[&str] = if remote {
        &["BRANCH", "SLOT", "PROJECT", "ENGINE", "PORTS", "SERVICES"]
    } else {
        &["BRANCH", "SLOT", "PROJECT", "PORTS", "SERVICES"]
    };
    crate::cli::output::table(headers, &rows)?;
    hostname_table(&views)
}

/// The second table: each hostname URL next to the branch and port it goes to.
fn hostname_table(views: &[StatusView]) -> Result<()> {
    let rows: Vec<Vec<String>> = views
        .iter()
        .flat_map(|v| {
            v.hostnames.iter().map(|h| {
                let port = h.port.map_or_else(|| "-".to_string(), |p| p.to_string());
                vec![v.worktree.branch.clone(), h.key.clone(), port, h.url.clone()]
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    crate::cli::output::line(format_args!(""))?;
    crate::cli::output::table(&["BRANCH", "KEY", "PORT", "HOSTNAME URL (cfn proxy)"], &rows)
}

/// Each environment with its services' state, from one query filtered by label per engine.
pub async fn views(listed: Vec<Listed>) -> Result<Vec<StatusView>> {
    let mut engines: Vec<Option<&str>> = listed.iter().map(|l| l.env.engine.as_deref()).collect();
    engines.sort();
    engines.dedup();
    let mut containers = Vec::new();
    for engine in engines {
        let projects: Vec<&str> = listed
            .iter()
            .filter(|l| l.env.engine.as_deref() == engine)
            .map(|l| l.env.project.as_str())
            .collect();
        let target = listed.iter().find(|l| l.env.engine.as_deref() == engine).map(|l| l.env.engine_target());
        let found = async {
            let target = target.unwrap_or_else(|| crate::engine::Target::resolve(engine))?;
            Engine::connect_to(&target).await?.containers(&projects).await
        }
        .await;
        match found {
            Ok(found) => containers.extend(found),
            // The local engine is the one status cannot do without; a remote one that does not
            // answer leaves its branches without services, and says so.
            Err(e) if engine.is_some() => crate::context::warn(format!("{e:#}")),
            Err(e) => return Err(e),
        }
    }
    Ok(listed
        .into_iter()
        .map(|l| StatusView {
            worktree: WorktreeView::from(&l.env),
            services: containers.iter().filter(|c| c.project == l.env.project).cloned().collect(),
            hostnames: l.hostnames,
        })
        .collect())
}

fn of_workspace(ws: &Workspace) -> Result<Vec<Listed>> {
    Ok(ws.all_envs()?.into_iter().map(|env| Listed::new(ws, env)).collect())
}

/// The environments of every registered repository whose checkout still exists.
fn all_repositories(ctx: &Context) -> Result<Vec<Listed>> {
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
            Ok(ws) => envs.extend(of_workspace(&ws)?),
            Err(e) => ctx.warn(format!("skipping {}: {e}", repo.root.display())),
        }
    }
    Ok(envs)
}
