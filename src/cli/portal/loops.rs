//! Loop runs, read from the state database as `cfn loop status` and `cfn loop list` read them:
//! a run shows live from another process, or long after it ended.

use super::errors::{blocking, ApiError, ApiResult};
use super::Shared;
use crate::state::State as StateDb;
use crate::workloop;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Longest task id the API looks up; ids cfn makes are far shorter.
const MAX_TASK_ID: usize = 200;

pub async fn list(State(portal): State<Shared>) -> ApiResult<Json<Value>> {
    let home = portal.ctx.home.clone();
    let runs = blocking(move || workloop::list_runs(StateDb::open(&home)?.conn())).await?;
    Ok(Json(json!({ "runs": runs })))
}

pub async fn status(State(portal): State<Shared>, Path(task): Path<String>) -> ApiResult<Json<Value>> {
    if task.is_empty() || task.len() > MAX_TASK_ID {
        return Err(unknown(&task));
    }
    let home = portal.ctx.home.clone();
    let wanted = task.clone();
    let found = blocking(move || {
        let state = StateDb::open(&home)?;
        let Some(run) = workloop::run_row(state.conn(), &wanted)? else { return Ok(None) };
        let events = workloop::run_events(state.conn(), &wanted, 0)?;
        let usage = workloop::usage_of(&events);
        Ok(Some(json!({ "run": run, "events": events, "usage": usage })))
    })
    .await?;
    found.map(Json).ok_or_else(|| unknown(&task))
}

fn unknown(task: &str) -> ApiError {
    let shown: String = task.chars().take(80).collect();
    ApiError::not_found(format!("no loop run {shown}"), "GET /api/tasks lists the runs (`cfn loop list`)")
}

/// Counts over every run: how many per status, and their iterations.
pub async fn metrics(State(portal): State<Shared>) -> ApiResult<Json<Value>> {
    let home = portal.ctx.home.clone();
    let runs = blocking(move || workloop::list_runs(StateDb::open(&home)?.conn())).await?;
    let mut by_status: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &runs {
        *by_status.entry(r.status.as_str()).or_default() += 1;
    }
    let iterations: u64 = runs.iter().map(|r| u64::from(r.iterations)).sum();
    let mean = if runs.is_empty() { 0.0 } else { iterations as f64 / runs.len() as f64 };
    Ok(Json(json!({
        "runs": runs.len(),
        "by_status": by_status,
        "iterations": { "total": iterations, "mean_per_run": mean },
    })))
}
