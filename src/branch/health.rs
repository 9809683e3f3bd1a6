//! The branch's health checks: `[health.<name>]` of cfn.toml, templated with the branch's
//! values, run concurrently, each within its own timeout.

use crate::branch::{BranchEnv, Workspace};
use crate::error::UserError;
use crate::health::{self, Check, CheckConfig, CheckResult};
use anyhow::Result;

/// The configured checks with every string value rendered for this branch.
pub fn checks(ws: &Workspace, branch: &BranchEnv) -> Result<Vec<Check>> {
    if ws.config.health.is_empty() {
        return Ok(Vec::new());
    }
    let vars = super::files::template_vars(ws, branch)?;
    let renderer = super::files::renderer(ws);
    let render = |name: &str, field: &str, value: &Option<String>| -> Result<Option<String>> {
        value.as_deref().map(|v| renderer.render_str(&format!("health.{name}.{field}"), v, &vars)).transpose()
    };
    ws.config
        .health
        .iter()
        .map(|(name, cfg)| {
            let command = match &cfg.command {
                Some(argv) => Some(
                    argv.iter()
                        .map(|a| renderer.render_str(&format!("health.{name}.command"), a, &vars))
                        .collect::<Result<Vec<_>>>()?,
                ),
                None => None,
            };
            // A tcp check without a host probes where the branch's ports are published.
            let default_host = (cfg.kind == "tcp")
                .then(|| vars["host"].as_str())
                .flatten()
                .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string());
            let rendered = CheckConfig {
                kind: cfg.kind.clone(),
                host: render(name, "host", &cfg.host)?.or(default_host),
                port: render(name, "port", &cfg.port)?,
                url: render(name, "url", &cfg.url)?,
                path: render(name, "path", &cfg.path)?,
                command,
                timeout: cfg.timeout,
                expect_status: cfg.expect_status,
            };
            let check = health::build_check(name, &rendered).map_err(UserError::from)?;
            Ok(check.with_cwd(&branch.path))
        })
        .collect()
}

/// Runs every check of the branch; results in configuration order. A `command` check runs
/// only once trusted (`yes` approves; see `crate::branch::trust`).
pub async fn run(
    ctx: &crate::context::Context,
    ws: &Workspace,
    branch: &BranchEnv,
    yes: bool,
) -> Result<Vec<CheckResult>> {
    let checks = checks(ws, branch)?;
    if checks.is_empty() {
        return Ok(Vec::new());
    }
    crate::branch::trust::require(ctx, ws, &crate::branch::trust::inventory::health(ws, branch)?, yes)?;
    Ok(health::run_all(&checks).await)
}

/// The error for failed checks: names them.
pub fn failure(results: &[CheckResult]) -> Option<anyhow::Error> {
    let failed: Vec<&str> = results.iter().filter(|r| !r.ok).map(|r| r.name.as_str()).collect();
    (!failed.is_empty()).then(|| {
        UserError::new(format!("health check(s) failed: {}", failed.join(", ")))
            .hint("`cfn health` runs them again; `cfn logs` shows the services' output")
            .into()
    })
}
