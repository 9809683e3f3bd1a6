//! The last lines of each service's log, read from the engine: a bounded answer, never a stream.

use crate::branch::BranchEnv;
use crate::engine::last_log_lines;
use anyhow::Result;
use serde::Serialize;

/// The most lines one request returns per container.
pub const MAX_LOG_LINES: usize = 1000;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ServiceLog {
    pub service: String,
    pub container: String,
    pub lines: Vec<String>,
}

/// The last `n` lines (at most [`MAX_LOG_LINES`]) of each container of the branch's stack, for
/// the `services` named (all when none). Services must have been checked as known.
pub async fn tail(branch: &BranchEnv, services: &[String], n: usize) -> Result<Vec<ServiceLog>> {
    let n = n.min(MAX_LOG_LINES);
    let engine = branch.connect_engine().await?;
    let containers = engine.containers(&[branch.project.as_str()]).await?;
    let mut logs = Vec::new();
    for c in containers.iter().filter(|c| services.is_empty() || services.contains(&c.service)) {
        let lines = last_log_lines(&engine, &c.id, n).await?;
        logs.push(ServiceLog { service: c.service.clone(), container: c.name.clone(), lines });
    }
    Ok(logs)
}
