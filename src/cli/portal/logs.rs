//! `GET /api/worktrees/:project/logs?service=S&tail=N`: the last lines of a branch's services,
//! bounded as `cfn logs --tail` and the MCP `logs` tool bound them (`stack::tail_logs`). Following
//! live is the socket's (`log_follow.rs`).
//!
//! Logs are the services' own output: whatever a service prints (a password it logs included) is
//! shown to whoever holds the portal's token, as `cfn logs` shows it at a terminal.

use super::errors::{awaiting, blocking, ApiError, ApiResult};
use super::{inventory, Shared};
use crate::branch::Workspace;
use crate::stack;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

/// Lines per service when the request names no `tail`.
pub const DEFAULT_TAIL: usize = 100;

/// What a request for logs names: its services (all when none) and how many lines.
#[derive(Debug, PartialEq)]
pub struct Wanted {
    pub services: Vec<String>,
    pub tail: usize,
}

/// `service` (repeatable) and `tail` (0..=MAX_LOG_LINES); anything else is refused.
pub fn wanted(query: &[(String, String)]) -> ApiResult<Wanted> {
    let mut out = Wanted { services: Vec::new(), tail: DEFAULT_TAIL };
    for (key, value) in query {
        match key.as_str() {
            "service" if !value.is_empty() => out.services.push(value.clone()),
            "tail" => out.tail = tail(value)?,
            _ => {
                let shown: String = key.chars().take(40).collect();
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("unknown or empty query parameter {shown:?}"),
                    "this route takes `service` (repeatable) and `tail`",
                ));
            }
        }
    }
    Ok(out)
}

/// A tail within what one answer carries.
pub fn tail(value: &str) -> ApiResult<usize> {
    match value.parse::<usize>() {
        Ok(n) if n <= stack::MAX_LOG_LINES => Ok(n),
        _ => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("tail {:?} is not a number of lines from 0 to {}", value, stack::MAX_LOG_LINES),
            format!("ask for at most {} lines; `cfn logs` shows whole logs", stack::MAX_LOG_LINES),
        )),
    }
}

/// The branch behind `project`, with its services checked as known (422 for an unknown one).
pub async fn branch_with(portal: &Shared, project: &str, services: &[String]) -> ApiResult<inventory::Found> {
    let ctx = portal.ctx.clone();
    let (wanted_project, services) = (project.to_string(), services.to_vec());
    let found = blocking(move || {
        let Some(found) = inventory::find(&ctx, &wanted_project)? else { return Ok(None) };
        let ws = Workspace::open(&found.ctx)?;
        stack::check_services(&ws, &found.env, &services)?;
        Ok(Some(found))
    })
    .await?;
    found.ok_or_else(|| {
        let shown: String = project.chars().take(80).collect();
        ApiError::not_found(
            format!("no worktree with project {shown}"),
            "GET /api/worktrees lists the projects",
        )
    })
}

pub async fn recent(
    State(portal): State<Shared>,
    Path(project): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Value>> {
    let wanted = wanted(&query)?;
    let found = branch_with(&portal, &project, &wanted.services).await?;
    let (services, n) = (wanted.services, wanted.tail);
    let logs = awaiting(move || async move { stack::tail_logs(&found.env, &services, n).await }).await?;
    Ok(Json(json!({ "lines_per_service": n, "services": logs })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_request_names_services_and_a_bounded_tail() {
        assert_eq!(wanted(&[]).unwrap(), Wanted { services: vec![], tail: DEFAULT_TAIL });
        let w = wanted(&q(&[("service", "web"), ("service", "db"), ("tail", "5")])).unwrap();
        assert_eq!(w, Wanted { services: vec!["web".into(), "db".into()], tail: 5 });
        assert_eq!(wanted(&q(&[("tail", "1000")])).unwrap().tail, 1000);
        for bad in [("tail", "1001"), ("tail", "-1"), ("tail", "x"), ("follow", "1"), ("service", "")] {
            let e = wanted(&q(&[bad])).unwrap_err();
            assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
            assert!(e.hint.is_some());
        }
    }
}
