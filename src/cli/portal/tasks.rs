//! Starting a loop run, and a person's decision for a run that waits for one. The run is a
//! `cfn loop run` of its own, detached (it outlives the portal); the portal approves nothing —
//! agents and checks not trusted are refused with 403 and the CLI's hint.

use super::agents::{answered, control_error};
use super::errors::{blocking, ApiError, ApiResult};
use super::{inventory, Shared};
use crate::workloop::{self, Decision};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    /// The branch, by its compose project.
    project: String,
    epic: String,
    #[serde(rename = "taskId")]
    task_id: Option<String>,
    #[serde(rename = "maxIterations")]
    max_iterations: Option<u32>,
}

/// `POST /api/tasks/create`: 202 `{taskId}` once the run is recorded.
pub async fn create(State(portal): State<Shared>, bytes: Bytes) -> ApiResult<Response> {
    let body: CreateBody = super::body::parse(&bytes)?;
    if body.project.is_empty() || body.epic.trim().is_empty() || body.max_iterations == Some(0) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "project and a non-empty epic are required (maxIterations at least 1)",
            "send {\"project\": \"<compose project>\", \"epic\": \"what to build\"}",
        ));
    }
    let ctx = portal.ctx.clone();
    let task = blocking(move || {
        let Some(found) = inventory::find(&ctx, &body.project)? else {
            return Ok(None);
        };
        let ws = crate::branch::Workspace::open(&found.ctx)?;
        workloop::require_trusted(&ws, &found.env, body.max_iterations)?;
        let task = workloop::new_background_task(ws.state.conn(), body.task_id)?;
        workloop::start_in_background(&ctx.home, &found.env, &task, &body.epic, body.max_iterations)?;
        Ok(Some(task))
    })
    .await?;
    let task =
        task.ok_or_else(|| ApiError::not_found("no such project", "GET /api/worktrees lists the projects"))?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "taskId": task }))).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
enum Given {
    Proceed,
    Iterate,
    Abort,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    decision: Given,
    #[serde(default)]
    reason: String,
}

/// `POST /api/tasks/:taskId/decision` `{decision, reason}`: 200 once the run took it.
pub async fn decision(
    State(portal): State<Shared>,
    Path(task): Path<String>,
    bytes: Bytes,
) -> ApiResult<Response> {
    // No body (or `null`) is no decision.
    let body: Option<DecisionBody> = super::body::parse(&bytes)?;
    let Some(body) = body else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body gives no decision",
            "send {\"decision\": \"PROCEED|ITERATE|ABORT\", \"reason\": \"…\"}",
        ));
    };
    let decision = match body.decision {
        Given::Proceed => Decision::Proceed,
        Given::Iterate => Decision::Iterate,
        Given::Abort => Decision::Abort,
    };
    let home = portal.ctx.home.clone();
    let (request, answer) = blocking(move || {
        let asked = || {
            let state = crate::state::State::open(&home)?;
            let request = workloop::decide(state.conn(), &task, decision, &body.reason)?;
            let answer = workloop::control_answer(state.conn(), request.id, workloop::ANSWER_WITHIN)?;
            Ok((request, answer))
        };
        Ok(asked().map_err(control_error))
    })
    .await??;
    answered(request, answer, "decided")
}
