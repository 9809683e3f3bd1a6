//! Every registered repository's worktrees, as the portal shows them, and the branch behind a
//! compose project name (unique on the machine), which is how the API names a branch.

use crate::branch::hostnames::HostUrl;
use crate::branch::{BranchEnv, Workspace};
use crate::cli::commands::view::WorktreeView;
use crate::context::Context;
use crate::stack::Endpoint;
use crate::state::{self, State};
use anyhow::Result;
use serde::Serialize;

/// One worktree: what `cfn worktree list --json` says, plus where to reach its services.
#[derive(Serialize)]
pub struct Worktree {
    #[serde(flatten)]
    pub view: WorktreeView,
    /// The main checkout of the repository the worktree belongs to.
    pub repository: String,
    pub endpoints: Vec<Endpoint>,
    /// Hostname URLs through `cfn proxy` (they answer while the proxy runs).
    pub hostnames: Vec<HostUrl>,
}

/// A branch found by its project: a context standing in its checkout, and its name, as
/// `bring_up` and `stop` take them.
pub struct Found {
    pub ctx: Context,
    pub env: BranchEnv,
    /// Its hostname URLs, for its status.
    pub hostnames: Vec<HostUrl>,
}

/// A registered repository that does not open (its checkout gone, its cfn.toml broken): shown
/// with the error and hint `cfn` would print there, instead of its worktrees vanishing.
#[derive(Serialize)]
pub struct Problem {
    pub repository: String,
    pub error: String,
    pub hint: Option<String>,
}

/// The repositories that do not open, and why.
pub fn problems(ctx: &Context) -> Result<Vec<Problem>> {
    let repos = state::list_repositories(State::open(&ctx.home)?.conn())?;
    Ok(repos
        .into_iter()
        .filter_map(|r| {
            let repository = r.root.to_string_lossy().into_owned();
            if !r.root.is_dir() {
                return Some(Problem {
                    repository,
                    error: "its main checkout is gone".into(),
                    hint: Some("`cfn doctor` in a worktree of it says how to repair or forget it".into()),
                });
            }
            let err = Workspace::open(&Context { cwd: r.root, ..ctx.clone() }).err()?;
            let (_, lines) = crate::error::report(&err);
            let hint = lines.iter().find_map(|l| l.strip_prefix("hint: ")).map(str::to_string);
            let error = lines
                .first()
                .map_or_else(|| format!("{err:#}"), |l| l.trim_start_matches("error: ").to_string());
            Some(Problem { repository, error, hint })
        })
        .collect())
}

/// The workspaces of every registered repository whose checkout still opens. A repository that
/// does not open (gone, its cfn.toml broken) is left out here; [`problems`] names it.
fn workspaces(ctx: &Context) -> Result<Vec<Workspace>> {
    let repos = state::list_repositories(State::open(&ctx.home)?.conn())?;
    Ok(repos
        .into_iter()
        .filter(|r| r.root.is_dir())
        .filter_map(|r| Workspace::open(&Context { cwd: r.root, ..ctx.clone() }).ok())
        .collect())
}

pub fn all(ctx: &Context) -> Result<Vec<Worktree>> {
    let mut out = Vec::new();
    for ws in workspaces(ctx)? {
        for env in ws.all_envs()? {
            out.push(describe(&ws, &env)?);
        }
    }
    Ok(out)
}

fn describe(ws: &Workspace, env: &BranchEnv) -> Result<Worktree> {
    let config = ws.config_of(env)?;
    let hostnames = crate::branch::hostnames::urls_of(ws, env)?;
    Ok(Worktree {
        view: WorktreeView::from(env),
        repository: ws.main_root().to_string_lossy().into_owned(),
        endpoints: crate::stack::endpoints(&config, env),
        hostnames,
    })
}

/// The branch whose compose project is `project`, if any repository has it.
pub fn find(ctx: &Context, project: &str) -> Result<Option<Found>> {
    for ws in workspaces(ctx)? {
        if let Some(env) = ws.all_envs()?.into_iter().find(|e| e.project == project) {
            let ctx = Context { cwd: env.path.clone(), ..ctx.clone() };
            let hostnames = crate::branch::hostnames::urls_of(&ws, &env).unwrap_or_default();
            return Ok(Some(Found { ctx, env, hostnames }));
        }
    }
    Ok(None)
}
