//! The work behind the environment tools: each calls the same data functions as the CLI
//! command of the same name and returns what its `--json` prints.

use super::params::{LogsArgs, UpArgs};
use super::scope::Target;
use crate::branch;
use crate::cli::commands::status;
use crate::error::UserError;
use crate::{migrate, stack};
use anyhow::Result;
use serde::Serialize;
use serde_json::{json, Value};

/// The most seconds `up` waits in one call.
pub const MAX_UP_TIMEOUT: f64 = 600.0;
/// Lines of log per service when the call names none.
const DEFAULT_LOG_LINES: u64 = 100;

pub fn env(target: &Target) -> Result<Value> {
    let (ws, env) = target.open()?;
    let vars = branch::files::env_vars(&ws, &env)?;
    Ok(json!({ "branch": env.branch, "variables": vars }))
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

pub async fn up(target: &Target, args: UpArgs) -> Result<Value> {
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
    Ok(json!({ "project": project, "endpoints": endpoints }))
}

pub async fn down(target: &Target) -> Result<Value> {
    // Never volumes: an agent cannot delete a branch's data through this server.
    let request = stack::DownRequest {
        branch: target.name.as_deref(),
        volumes: false,
        confirm_volumes: &|_: &str| Ok(()),
        yes: false,
    };
    let project = stack::bring_down(&target.ctx, request).await?;
    Ok(json!({ "project": project, "volumes_kept": true }))
}

#[derive(Serialize)]
pub struct Logs {
    lines_per_service: usize,
    services: Vec<stack::ServiceLog>,
}

pub async fn logs(target: &Target, args: LogsArgs) -> Result<Logs> {
    let lines = args.lines.unwrap_or(DEFAULT_LOG_LINES);
    if lines > stack::MAX_LOG_LINES as u64 {
        return Err(UserError::usage(format!("lines {lines} is over the limit of {}", stack::MAX_LOG_LINES))
            .hint(format!("ask for at most {} lines; `cfn logs` shows whole logs", stack::MAX_LOG_LINES))
            .into());
    }
    let (ws, env) = target.open()?;
    stack::check_services(&ws, &env, &args.services)?;
    let n = usize::try_from(lines).unwrap_or(stack::MAX_LOG_LINES);
    Ok(Logs { lines_per_service: n, services: stack::tail_logs(&env, &args.services, n).await? })
}

/// Every check's result; a failed check is an error carrying all of them.
pub async fn health(target: &Target) -> Result<Vec<crate::health::CheckResult>, (anyhow::Error, Value)> {
    let (ws, env) = target.open().map_err(|e| (e, Value::Null))?;
    let results = branch::health::run(&target.ctx, &ws, &env, false).await.map_err(|e| (e, Value::Null))?;
    match branch::health::failure(&results) {
        Some(err) => Err((err, json!({ "checks": results }))),
        None => Ok(results),
    }
}

pub fn migrate_status(target: &Target) -> Result<Vec<migrate::StatusRow>> {
    let (ws, env) = target.open()?;
    let available = branch::migrations::migrations(&ws, &env)?;
    branch::migrations::with_target(&ws, &env, |t| migrate::status(t, &available))
}

pub async fn doctor(target: &Target) -> Result<Value> {
    let checks = crate::doctor::diagnose(&target.ctx).await?;
    Ok(json!({ "ok": !crate::doctor::any_failed(&checks), "checks": checks }))
}
