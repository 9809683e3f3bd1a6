//! The routes, and the handlers for worktrees and their stacks. Each action runs the CLI's own
//! command function on a blocking thread, with a context standing in the branch's checkout.

use super::body::{self, DownBody, UpBody};
use super::errors::{awaiting, blocking, ApiError, ApiResult};
use super::{
    agents, assets, checks, guard, inventory, logs, loops, slow_body, socket, system, tasks, Shared,
};
use crate::cli::commands::status;
use crate::stack;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::time::Duration;

pub fn router(portal: Shared) -> Router {
    let api = Router::new()
        .route("/worktrees", get(worktrees))
        .route("/worktrees/{project}/status", get(stack_status))
        .route("/worktrees/{project}/up", post(stack_up))
        .route("/worktrees/{project}/down", post(stack_down))
        .route("/worktrees/{project}/logs", get(logs::recent))
        .route("/worktrees/{project}/health", post(checks::run_now))
        .route("/health/system", get(system::health))
        .route("/tasks", get(loops::list))
        .route("/tasks/{task_id}/status", get(loops::status))
        .route("/metrics/tasks", get(loops::metrics))
        .route("/tasks/create", post(tasks::create))
        .route("/tasks/{task_id}/decision", post(tasks::decision))
        // One path, two ids: a run's (GET) and an agent's (DELETE).
        .route("/agents/{id}", get(agents::list).delete(agents::kill))
        .route("/agents/spawn", post(agents::spawn))
        .route("/metrics/agents", get(agents::metrics))
        .route("/openapi.json", get(assets::openapi))
        .fallback(unknown_route)
        .layer(axum::middleware::from_fn(slow_body::read_whole))
        .layer(axum::middleware::from_fn_with_state(portal.clone(), guard::api));
    let app = Router::new().nest("/api", api).route("/ws", get(socket::upgrade)).merge(assets::routes());
    assets::security_headers(app).with_state(portal)
}

async fn unknown_route() -> ApiError {
    ApiError::not_found("no such route", "/api/openapi.json lists the routes")
}

async fn worktrees(State(portal): State<Shared>) -> ApiResult<Json<Value>> {
    let ctx = portal.ctx.clone();
    let (listed, problems) =
        blocking(move || Ok((inventory::all(&ctx)?, inventory::problems(&ctx)?))).await?;
    Ok(Json(json!({ "worktrees": listed, "problems": problems })))
}

/// The branch behind `project`, or 404.
async fn found(portal: &Shared, project: String) -> ApiResult<inventory::Found> {
    let ctx = portal.ctx.clone();
    let wanted = project.clone();
    blocking(move || inventory::find(&ctx, &wanted)).await?.ok_or_else(|| {
        ApiError::not_found(
            format!("no worktree with project {project}"),
            "GET /api/worktrees lists the projects",
        )
    })
}

async fn stack_status(State(portal): State<Shared>, Path(project): Path<String>) -> ApiResult<Response> {
    let mut found = found(&portal, project).await?;
    let listed = status::Listed { env: found.env.clone(), hostnames: std::mem::take(&mut found.hostnames) };
    let mut views = awaiting(move || status::views(vec![listed])).await?;
    let mut view = serde_json::to_value(views.remove(0)).map_err(anyhow::Error::from)?;
    checks::annotate(&portal, found, &mut view).await?;
    Ok(Json(view).into_response())
}

async fn stack_up(
    State(portal): State<Shared>,
    Path(project): Path<String>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let request: UpBody = body::parse(&bytes)?;
    request.check()?;
    let found = found(&portal, project).await?;
    let (project, endpoints) = awaiting(move || async move {
        let request = stack::UpRequest {
            branch: Some(found.env.branch.clone()),
            services: request.services,
            timeout: Duration::from_secs(request.timeout.unwrap_or(120)),
            wait: request.wait.unwrap_or(true),
            // Trust is a person's decision at a terminal (`cfn trust`), never a web request's.
            yes: false,
        };
        let mut progress = crate::cli::progress::Progress::new(found.ctx.quiet);
        stack::bring_up(&found.ctx, request, &mut progress).await?.into_result()
    })
    .await?;
    Ok(Json(json!({ "project": project, "endpoints": endpoints })).into_response())
}

async fn stack_down(
    State(portal): State<Shared>,
    Path(project): Path<String>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let _: DownBody = body::parse(&bytes)?;
    let found = found(&portal, project).await?;
    // Never volumes: the portal cannot delete a branch's data.
    let project = awaiting(move || async move {
        let request = stack::DownRequest {
            branch: Some(&found.env.branch),
            volumes: false,
            confirm_volumes: &|_: &str| Ok(()),
            yes: false,
        };
        stack::bring_down(&found.ctx, request).await
    })
    .await?;
    Ok((StatusCode::OK, Json(json!({ "project": project, "volumes_kept": true }))).into_response())
}

/// Every route with its method, as /api/openapi.json must list it (checked below, and each
/// one answered by a live portal in tests/cli/portal.rs).
#[cfg(test)]
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/worktrees"),
    ("get", "/api/worktrees/{project}/status"),
    ("post", "/api/worktrees/{project}/up"),
    ("post", "/api/worktrees/{project}/down"),
    ("get", "/api/worktrees/{project}/logs"),
    ("post", "/api/worktrees/{project}/health"),
    ("get", "/api/health/system"),
    ("get", "/api/tasks"),
    ("get", "/api/tasks/{taskId}/status"),
    ("get", "/api/metrics/tasks"),
    ("post", "/api/tasks/create"),
    ("post", "/api/tasks/{taskId}/decision"),
    ("get", "/api/agents/{id}"),
    ("delete", "/api/agents/{id}"),
    ("post", "/api/agents/spawn"),
    ("get", "/api/metrics/agents"),
    ("get", "/api/openapi.json"),
    ("get", "/ws"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_openapi_document_lists_every_route_and_no_other() {
        let doc: Value = serde_json::from_str(assets::OPENAPI).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let mut listed = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                listed.insert((method.clone(), path.clone()));
            }
        }
        let routed: BTreeSet<(String, String)> =
            ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
        assert_eq!(listed, routed);
        // Every reference in the document resolves.
        let text = assets::OPENAPI;
        for piece in text.split("\"$ref\": \"#/").skip(1) {
            let pointer = format!("/{}", piece.split('"').next().unwrap());
            assert!(doc.pointer(&pointer).is_some(), "{pointer} is referenced but not defined");
        }
    }
}
