//! The work behind the environment tools: each calls the same data functions as the CLI
//! command of the same name and returns what its `--json` prints.

use super::params::{LogsArgs, UpArgs};
use super::results::*;
use super::scope::Target;
use crate::branch;
use crate::cli::commands::status;
use crate::error::UserError;
use crate::{migrate, stack};
use anyhow::Result;

/// The most seconds `up` waits in one call.
pub const MAX_UP_TIMEOUT: f64 = 600.0;
/// Lines of log per service when the call names none.
const DEFAULT_LOG_LINES: u64 = 100;

pub fn env(target: &Target) -> Result<EnvResult> {
    let (ws, env) = target.open()?;
    let variables = branch::files::env_vars(&ws, &env)?;
    Ok(EnvResult { branch: env.branch, variables })
}

pub fn ports(target: &Target) -> Result<crate::cli::commands::view::WorktreeView> {
    let (_, env) = target.open()?;
    Ok((&env).into())
}

pub async fn status(target: &Target) -> Result<status::StatusView> {
    let (ws, env) = target.open()?;
    let mut views = status::views(vec![status::Listed::new(&ws, env)]).await?;
    Ok(views.remove(0))
}

pub async fn up(target: &Target, args: UpArgs) -> Result<UpResult> {
    let timeout = super::limits::seconds_within("timeout", args.timeout.unwrap_or(120.0), MAX_UP_TIMEOUT)?;
    let request = stack::UpRequest {
        branch: target.name.clone(),
        services: args.services,
        timeout,
        wait: !args.no_wait,
        // Approving what the repository runs is for a person (`cfn trust`), never an agent.
        yes: false,
    };
    let mut progress = crate::cli::progress::Progress::new(target.ctx.quiet);
    let (project, endpoints) = stack::bring_up(&target.ctx, request, &mut progress).await?.into_result()?;
    Ok(UpResult { project, endpoints })
}

pub async fn down(target: &Target) -> Result<DownResult> {
    // Never volumes: an agent cannot delete a branch's data through this server.
    let request = stack::DownRequest {
        branch: target.name.as_deref(),
        volumes: false,
        confirm_volumes: &|_: &str| Ok(()),
        yes: false,
    };
    let project = stack::bring_down(&target.ctx, request).await?;
    Ok(DownResult { project, volumes_kept: true })
}

pub async fn logs(target: &Target, args: LogsArgs) -> Result<LogsResult> {
    let lines = args.lines.unwrap_or(DEFAULT_LOG_LINES);
    if lines > stack::MAX_LOG_LINES as u64 {
        return Err(UserError::usage(format!("lines {lines} is over the limit of {}", stack::MAX_LOG_LINES))
            .hint(format!("ask for at most {} lines; `cfn logs` shows whole logs", stack::MAX_LOG_LINES))
            .into());
    }
    let (ws, env) = target.open()?;
    stack::check_services(&ws, &env, &args.services)?;
    let n = usize::try_from(lines).unwrap_or(stack::MAX_LOG_LINES);
    Ok(LogsResult { lines_per_service: n, services: stack::tail_logs(&env, &args.services, n).await? })
}

/// Every check's result; a failed check is an error carrying all of them.
pub async fn health(target: &Target) -> Result<HealthResult, (anyhow::Error, Option<HealthChecks>)> {
    let (ws, env) = target.open().map_err(|e| (e, None))?;
    let checks = branch::health::run(&target.ctx, &ws, &env, false).await.map_err(|e| (e, None))?;
    match branch::health::failure(&checks) {
        Some(err) => Err((err, Some(HealthChecks { checks }))),
        None => Ok(HealthResult { ok: true, checks }),
    }
}

pub fn migrate_status(target: &Target) -> Result<Vec<migrate::StatusRow>> {
    let (ws, env) = target.open()?;
    let available = branch::migrations::migrations(&ws, &env)?;
    branch::migrations::with_target(&ws, &env, |t| migrate::status(t, &available))
}

pub async fn doctor(target: &Target) -> Result<DoctorResult> {
    let checks = crate::doctor::diagnose(&target.ctx).await?;
    Ok(DoctorResult { ok: !crate::doctor::any_failed(&checks), checks })
}
