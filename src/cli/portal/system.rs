//! `GET /api/health/system`: whether the engine answers and the state database reads, and the
//! versions in play. Answers 200 either way: the body says what is down.

use super::errors::ApiResult;
use super::Shared;
use crate::engine::Engine;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

pub async fn health(State(portal): State<Shared>) -> ApiResult<Json<Value>> {
    let engine = match Engine::connect().await {
        Ok(engine) => match engine.docker.version().await {
            Ok(v) => json!({ "ok": true, "version": v.version, "api_version": v.api_version }),
            Err(e) => json!({ "ok": false, "error": e.to_string() }),
        },
        Err(e) => json!({ "ok": false, "error": format!("{e:#}") }),
    };
    let home = portal.ctx.home.clone();
    let state = tokio::task::spawn_blocking(move || -> anyhow::Result<i64> {
        let state = crate::state::State::open(&home)?;
        Ok(state.conn().query_row("SELECT count(*) FROM repositories", [], |r| r.get(0))?)
    })
    .await;
    let state = match state {
        Ok(Ok(repositories)) => json!({ "ok": true, "repositories": repositories }),
        Ok(Err(e)) => json!({ "ok": false, "error": format!("{e:#}") }),
        Err(e) => json!({ "ok": false, "error": e.to_string() }),
    };
    let ok = engine["ok"] == true && state["ok"] == true;
    Ok(Json(json!({
        "ok": ok,
        "cfn_version": env!("CARGO_PKG_VERSION"),
        "engine": engine,
        "state_db": state,
    })))
}
