//! The agents of loop runs: each run's agents turn by turn (from its events), counts across
//! runs, and the two actions on a live run — kill one of its agents, add one — which its
//! coordinator carries out (workloop/control.rs); the portal only asks.

use super::errors::{blocking, ApiError, ApiResult};
use super::Shared;
use crate::state::State as StateDb;
use crate::workloop;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A control request's error: what the CLI says, with 404 for what does not exist.
pub fn control_error(e: anyhow::Error) -> ApiError {
    let not_found = crate::error::user_error(&e).is_some_and(|u| u.kind == crate::error::Kind::NotFound);
    let mut api = ApiError::from(e);
    if not_found {
        api.status = StatusCode::NOT_FOUND;
    }
    api
}

/// `GET /api/agents/:taskId`
pub async fn list(State(portal): State<Shared>, Path(task): Path<String>) -> ApiResult<Json<Value>> {
    let home = portal.ctx.home.clone();
    let wanted = task.clone();
    let found = blocking(move || {
        let state = StateDb::open(&home)?;
        if workloop::run_row(state.conn(), &wanted)?.is_none() {
            return Ok(None);
        }
        Ok(Some(workloop::agents_of(state.conn(), &wanted)?))
    })
    .await?;
    let agents = found.ok_or_else(|| {
        let shown: String = task.chars().take(80).collect();
        ApiError::not_found(format!("no loop run {shown}"), "GET /api/tasks lists the runs")
    })?;
    Ok(Json(json!({ "taskId": task, "agents": agents })))
}

/// `GET /api/metrics/agents`: every run's agent turns counted by role, provider and state, with
/// the mean confidence of those that reported one and how long they ran.
pub async fn metrics(State(portal): State<Shared>) -> ApiResult<Json<Value>> {
    let home = portal.ctx.home.clone();
    let all = blocking(move || {
        let state = StateDb::open(&home)?;
        let mut all = Vec::new();
        for run in workloop::list_runs(state.conn())? {
            all.extend(workloop::agents_of(state.conn(), &run.task_id)?);
        }
        Ok(all)
    })
    .await?;
    let mut by_role: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_provider: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_state: BTreeMap<String, u64> = BTreeMap::new();
    for a in &all {
        *by_role.entry(a.role.clone()).or_default() += 1;
        *by_provider.entry(a.provider.clone().unwrap_or_else(|| "none".into())).or_default() += 1;
        *by_state.entry(a.state.clone()).or_default() += 1;
    }
    let confidences: Vec<f64> = all.iter().filter_map(|a| a.confidence).collect();
    let durations: Vec<u64> = all.iter().filter_map(|a| a.elapsed_ms).collect();
    let mean = |sum: f64, n: usize| if n == 0 { None } else { Some(sum / n as f64) };
    Ok(Json(json!({
        "agents": all.len(),
        "by_role": by_role,
        "by_provider": by_provider,
        "by_state": by_state,
        "confidence": { "mean": mean(confidences.iter().sum(), confidences.len()), "count": confidences.len() },
        "duration_ms": {
            "mean": mean(durations.iter().sum::<u64>() as f64, durations.len()),
            "max": durations.iter().max(),
            "count": durations.len(),
        },
    })))
}

#[derive(Deserialize)]
pub struct KillQuery {
    #[serde(rename = "taskId")]
    task_id: Option<String>,
}

/// `DELETE /api/agents/:agentId[?taskId=]`: 200 once the coordinator killed it, 202 when it has
/// not answered yet, 409 when it answered that the agent no longer runs.
pub async fn kill(
    State(portal): State<Shared>,
    Path(agent): Path<String>,
    Query(q): Query<KillQuery>,
) -> ApiResult<Response> {
    let home = portal.ctx.home.clone();
    let (request, answer) = blocking(move || {
        let asked = || {
            let state = StateDb::open(&home)?;
            let request = workloop::kill_agent(state.conn(), q.task_id.as_deref(), &agent)?;
            let answer = workloop::control_answer(state.conn(), request.id, workloop::ANSWER_WITHIN)?;
            Ok((request, answer))
        };
        Ok(asked().map_err(control_error))
    })
    .await??;
    answered(request, answer, "killed")
}

/// The answer to a control request: done (200), not yet (202), or refused (409).
pub fn answered(
    request: workloop::Request,
    answer: Option<workloop::Answer>,
    done: &str,
) -> ApiResult<Response> {
    let body =
        json!({ "taskId": request.task_id, "agent": request.agent, "request": request.id, "answer": answer });
    match answer {
        Some(a) if a.outcome == done => Ok(Json(body).into_response()),
        None => Ok((StatusCode::ACCEPTED, Json(body)).into_response()),
        Some(a) => Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("loop {}: {}", request.task_id, a.outcome),
            "GET /api/tasks/<taskId>/status shows where the run is",
        )),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpawnBody {
    #[serde(rename = "taskId")]
    task_id: String,
    profile: String,
}

/// `POST /api/agents/spawn` `{taskId, profile}`: 202 once asked; the agent joins from the next
/// phase of its role that starts.
pub async fn spawn(State(portal): State<Shared>, bytes: Bytes) -> ApiResult<Response> {
    let body: SpawnBody = super::body::parse(&bytes)?;
    if body.task_id.is_empty() || body.profile.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "taskId and profile are required",
            "send {\"taskId\": \"…\", \"profile\": \"<an [agents.*] id>\"}",
        ));
    }
    let ctx = portal.ctx.clone();
    let request = blocking(move || {
        let asked = || {
            let (ws, branch) = run_workspace(&ctx, &body.task_id)?;
            workloop::add_agent(ws.state.conn(), (&ws, &branch), &body.task_id, &body.profile)
        };
        Ok(asked().map_err(control_error))
    })
    .await??;
    let body = json!({ "taskId": request.task_id, "agent": request.agent, "request": request.id });
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// The repository and branch of a run, as its coordinator sees them.
fn run_workspace(
    ctx: &crate::context::Context,
    task: &str,
) -> anyhow::Result<(crate::branch::Workspace, crate::branch::BranchEnv)> {
    let state = StateDb::open(&ctx.home)?;
    let gone = || {
        crate::error::UserError::new(format!("no loop run {task}"))
            .kind(crate::error::Kind::NotFound)
            .hint("GET /api/tasks lists the runs")
    };
    let repo_id: Option<i64> = state
        .conn()
        .query_row("SELECT repo_id FROM loop_runs WHERE task_id = ?1", [task], |r| r.get(0))
        .map_err(|_| gone())?;
    let repo = crate::state::list_repositories(state.conn())?
        .into_iter()
        .find(|r| Some(r.id) == repo_id)
        .ok_or_else(gone)?;
    let ws = crate::branch::Workspace::open(&crate::context::Context { cwd: repo.root, ..ctx.clone() })?;
    let branch = crate::cli::commands::loop_control::run_branch(&ws, task)?;
    Ok((ws, branch))
}

/// `agent:update` messages for the agents of `task` that changed since `known`, which is
/// brought up to date (a read that fails sends nothing; the next change reads again).
pub async fn changed(home: &std::path::Path, task: &str, known: &mut Vec<workloop::AgentView>) -> Vec<Value> {
    let (home, wanted) = (home.to_path_buf(), task.to_string());
    let read =
        tokio::task::spawn_blocking(move || workloop::agents_of(StateDb::open(&home)?.conn(), &wanted)).await;
    let Ok(Ok(now)) = read else { return Vec::new() };
    let updates = now
        .iter()
        .filter(|a| !known.contains(a))
        .map(|a| json!({ "type": "agent:update", "taskId": task, "agent": a }))
        .collect();
    *known = now;
    updates
}
