//! Per worktree: the last health-check result the portal ran (`POST
//! /api/worktrees/:project/health`, the branch's `[health.*]` checks as `cfn health` runs them)
//! and how many migrations are pending (read-only, as `cfn doctor` reads them), both added to
//! `GET /api/worktrees/:project/status`.
//!
//! Trust: a `command` check runs only once `cfn trust` approved it; the portal never approves,
//! so an untrusted one is refused with 403 and the CLI's hint.

use super::body;
use super::errors::{awaiting, blocking, ApiResult};
use super::{inventory, Shared};
use crate::branch::{self, BranchEnv, Workspace};
use crate::config::MigrationTarget;
use crate::health::CheckResult;
use crate::migrate::{self, State as Migration};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// The last run of each project's checks, kept while the portal runs.
#[derive(Default)]
pub struct LastChecks(Mutex<HashMap<String, LastRun>>);

#[derive(Clone, Serialize)]
pub struct LastRun {
    /// When the checks ran (RFC 3339, UTC).
    pub at: String,
    pub ok: bool,
    pub checks: Vec<CheckResult>,
}

impl LastChecks {
    fn get(&self, project: &str) -> Option<LastRun> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(project).cloned()
    }

    fn set(&self, project: &str, run: LastRun) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(project.to_string(), run);
    }
}

/// `POST /api/worktrees/:project/health`: nothing to say; an object is accepted for symmetry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthBody {}

pub async fn run_now(
    State(portal): State<Shared>,
    Path(project): Path<String>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let _: HealthBody = body::parse(&bytes)?;
    let found = super::logs::branch_with(&portal, &project, &[]).await?;
    let results = awaiting(move || async move {
        let ws = Workspace::open(&found.ctx)?;
        // `false`: never approve; what needs trust and has none is refused (403).
        branch::health::run(&found.ctx, &ws, &found.env, false).await
    })
    .await?;
    let run =
        LastRun { at: migrate::target::now_rfc3339(), ok: results.iter().all(|r| r.ok), checks: results };
    portal.checks.set(&project, run.clone());
    Ok(Json(json!({ "project": project, "health": run })))
}

/// The status view with `health` (the last run, or null) and `migrations` added.
pub async fn annotate(portal: &Shared, found: inventory::Found, view: &mut Value) -> ApiResult<()> {
    let health = portal.checks.get(&found.env.project);
    let migrations = blocking(move || {
        let ws = Workspace::open(&found.ctx)?;
        Ok(migrations(&ws, &found.env))
    })
    .await?;
    if let Some(object) = view.as_object_mut() {
        object.insert("health".into(), json!(health));
        object.insert("migrations".into(), migrations);
    }
    Ok(())
}

/// `{available, applied, pending, changed, missing_file}`, or `{error}` when the database or the
/// files cannot be read (a stopped stack's database, say). Creates nothing: a SQLite file not
/// made yet has every migration pending.
fn migrations(ws: &Workspace, env: &BranchEnv) -> Value {
    if !branch::migrations::migrations_dir(ws, env).is_dir() {
        return counts(0, &[]);
    }
    let available = match branch::migrations::migrations(ws, env) {
        Ok(list) => list,
        Err(e) => return json!({ "error": format!("{e:#}") }),
    };
    let sqlite_missing = ws.config.migrations.target == MigrationTarget::Sqlite
        && !branch::files::sqlite_path(ws, env).exists();
    if available.is_empty() || sqlite_missing {
        return json!({ "available": available.len(), "applied": 0, "pending": available.len(),
                       "changed": 0, "missing_file": 0 });
    }
    match branch::migrations::with_target(ws, env, |t| migrate::status(t, &available)) {
        Ok(rows) => counts(available.len(), &rows.iter().map(|r| r.state).collect::<Vec<_>>()),
        Err(e) => json!({ "error": format!("{e:#}") }),
    }
}

fn counts(available: usize, states: &[Migration]) -> Value {
    let n = |s: Migration| states.iter().filter(|&&x| x == s).count();
    json!({ "available": available, "applied": n(Migration::Applied), "pending": n(Migration::Pending),
            "changed": n(Migration::Changed), "missing_file": n(Migration::MissingFile) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_states_are_counted_each_once() {
        let states = [Migration::Applied, Migration::Applied, Migration::Pending, Migration::Changed];
        let v = counts(3, &states);
        assert_eq!(v, json!({ "available": 3, "applied": 2, "pending": 1, "changed": 1, "missing_file": 0 }));
    }

    #[test]
    fn the_last_run_replaces_the_one_before() {
        let last = LastChecks::default();
        assert!(last.get("p").is_none());
        last.set("p", LastRun { at: "a".into(), ok: false, checks: vec![] });
        last.set("p", LastRun { at: "b".into(), ok: true, checks: vec![] });
        let run = last.get("p").unwrap();
        assert!(run.ok && run.at == "b");
    }
}
