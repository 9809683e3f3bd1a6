//! Bringing a branch up and down as the user asks for it — the one sequence `cfn up`, the MCP
//! server and the portal share: the branch's lock, trust for what the repository makes `up` run,
//! compose and the readiness wait, migrations, health checks, the project's post_up hooks and
//! the background proxy when `[proxy] auto` is on; down runs pre_down hooks first and settles
//! leases a removed service kept.

use super::endpoints::{endpoints, Endpoint};
use super::up_down::{down, prepare, up, UpOptions};
use super::wait::Watch;
use crate::branch::project_hooks::{self, HookPoint};
use crate::branch::Workspace;
use crate::context::Context;
use crate::engine::{Engine, RunState};
use crate::health::CheckResult;
use anyhow::Result;
use std::time::Duration;

/// What to bring up, and how.
pub struct UpRequest {
    pub branch: Option<String>,
    pub services: Vec<String>,
    pub timeout: Duration,
    pub wait: bool,
    /// Trust what the repository makes `up` run without asking.
    pub yes: bool,
}

/// How a bring-up ended when nothing went wrong before the health checks.
pub enum UpOutcome {
    /// Ready and healthy: the compose project and what it serves.
    Up { project: String, endpoints: Vec<Endpoint> },
    /// Running, but a health check failed: every check's result, and the error to report.
    Unhealthy { results: Vec<CheckResult>, error: anyhow::Error },
}

impl UpOutcome {
    /// The project and endpoints, or the health failure as an error.
    pub fn into_result(self) -> Result<(String, Vec<Endpoint>)> {
        match self {
            UpOutcome::Up { project, endpoints } => Ok((project, endpoints)),
            UpOutcome::Unhealthy { error, .. } => Err(error),
        }
    }
}

/// Claims the main checkout's compose project on its remote engine, as `worktree add` claims a
/// branch's: someone else's clone of the repository on the same engine has the same name.
async fn claim_main_project(
    ws: &Workspace,
    branch: &crate::branch::BranchEnv,
    engine: &Engine,
) -> Result<()> {
    let owner = crate::state::instance_id(ws.state.home())?;
    if engine.claim_project(&branch.project, &owner, crate::engine::MAIN_CHECKOUT_OPERATION).await? {
        return Ok(());
    }
    Err(crate::error::UserError::new(format!(
        "compose project {} is another cfn's on the engine {}",
        branch.project,
        crate::names::printable(branch.engine.as_deref().unwrap_or_default())
    ))
    .hint("someone else runs this repository's main checkout there: give yours its own project.name, or use another engine")
    .into())
}

/// Starts the branch's stack, waits until it is ready and healthy (unless `wait` is off),
/// telling `watch` how the wait goes.
pub async fn bring_up(ctx: &Context, request: UpRequest, watch: &mut dyn Watch) -> Result<UpOutcome> {
    let ws = Workspace::open(ctx)?;
    let (_lock, mut branch) = crate::branch::lock::lock_branch(ctx, &ws, request.branch.as_deref(), "up")?;
    super::check_services(&ws, &branch, &request.services)?;
    if branch.engine_unapproved {
        let item = crate::branch::trust::inventory::engine(&ws).into_iter().collect::<Vec<_>>();
        crate::branch::trust::require(ctx, &ws, &item, request.yes)?;
        branch.engine_unapproved = false;
    }
    // What the repository makes `up` run (health commands, migrations) is trusted before
    // anything starts, so a refusal leaves nothing half done.
    if request.wait {
        let mut items = crate::branch::trust::inventory::health(&ws, &branch)?;
        if ws.config.migrations.on_up {
            items.extend(crate::branch::trust::inventory::migrations(&ws, &branch)?);
        }
        crate::branch::trust::require(ctx, &ws, &items, request.yes)?;
    }
    let handle = prepare(&ws, &branch).await?;
    if branch.is_main && handle.files.engine.host.is_some() && !handle.files.engine.is_local_socket() {
        claim_main_project(&ws, &branch, &handle.engine).await?;
    }
    let opts = UpOptions { timeout: request.timeout, wait: request.wait, services: request.services };
    let started = up(ctx, &branch, &handle, &opts, watch).await?;
    if opts.wait {
        crate::branch::migrations::migrate_on_up(ctx, &ws, &branch, request.yes)?;
        let results = crate::branch::health::run(ctx, &ws, &branch, request.yes).await?;
        if let Some(error) = crate::branch::health::failure(&results) {
            return Ok(UpOutcome::Unhealthy { results, error });
        }
        for r in &results {
            ctx.say(format!("health {}: {}", r.name, r.message));
        }
        project_hooks::run(ctx, &ws, &branch, HookPoint::PostUp, request.yes)?;
    }
    let mut endpoints = endpoints(&*ws.config_of(&branch)?, &branch);
    if opts.wait {
        // A key of a service that did not start (a profile not active, a service not named)
        // is no endpoint of this stack, nor is a one-shot service that ran and exited 0: only
        // what runs is listed.
        endpoints.retain(|e| started.iter().any(|c| c.service == e.service && c.state == RunState::Running));
    }
    crate::proxy::on_up(ctx).await;
    Ok(UpOutcome::Up { project: branch.project, endpoints })
}

/// What to take down, and how.
pub struct DownRequest<'a> {
    pub branch: Option<&'a str>,
    /// Also delete the stack's volumes, once `confirm_volumes` (given the project) agrees.
    pub volumes: bool,
    pub confirm_volumes: &'a dyn Fn(&str) -> Result<()>,
    /// Approve the project's pre_down hooks without asking.
    pub yes: bool,
}

/// Stops the branch's stack (its pre_down hooks first, unless the branch's own cfn.toml cannot
/// be read) and returns its project name.
pub async fn bring_down(ctx: &Context, request: DownRequest<'_>) -> Result<String> {
    let DownRequest { branch, volumes, confirm_volumes, yes } = request;
    let ws = Workspace::open(ctx)?;
    // A branch whose own cfn.toml is broken is still stopped: by its engine labels (`down`).
    let (_lock, branch) =
        crate::branch::lock::lock_branch_with(ctx, &ws, branch, "down", Workspace::branch_env_as_registered)?;
    if volumes {
        confirm_volumes(&branch.project)?;
    }
    let readable = match ws.config_of(&branch) {
        Ok(_) => true,
        Err(e) => {
            ctx.warn(format!("{e:#}; its pre_down hooks are skipped"));
            false
        }
    };
    if readable {
        project_hooks::run(ctx, &ws, &branch, HookPoint::PreDown, yes)?;
    }
    down(ctx, &ws, &branch, volumes).await?;
    // Leases kept while a removed service still published them can go now.
    if readable && !branch.is_main {
        if let Some(row) =
            crate::state::WorktreeRow::find_by_branch(ws.state.conn(), ws.repo.id, &branch.branch)?
        {
            ws.follow_config(row)?;
        }
    }
    Ok(branch.project)
}
