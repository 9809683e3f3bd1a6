//! The context file each agent reads (`CFN_CONTEXT_FILE`): rendered from the
//! `agent-context.json.j2` template, written 0600. Task text reaches agents only here —
//! verbatim, as JSON — never as environment variables or shell text.

use crate::render::{self, Renderer};
use anyhow::Result;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct AgentContext {
    pub task_id: String,
    pub agent_id: String,
    pub role: &'static str,
    pub iteration: u32,
    pub max_iterations: u32,
    pub mode: &'static str,
    pub epic: String,
    pub gate_threshold: f64,
    pub consensus_threshold: f64,
    /// What went wrong in the previous iteration (gate, consensus, product owner), oldest first.
    pub feedback: Vec<String>,
    /// The branch's endpoints: service, port, URL.
    pub endpoints: serde_json::Value,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
    pub redis_url: Option<String>,
    pub branch: String,
    pub worktree: String,
    /// The loop's checks of this iteration, for validators and the product owner: name,
    /// passed, exit code, duration, the tail of the output (`[]` for implementers).
    pub checks: serde_json::Value,
    /// For the product owner: each validator's reported confidence, the checks' passed/total,
    /// and which of them counted (`[]` for the others).
    pub confidences: serde_json::Value,
}

pub fn write_context_file(renderer: &Renderer, ctx: &AgentContext, path: &Path) -> Result<()> {
    let text = renderer.render("agent-context.json.j2", ctx)?;
    // The template must produce JSON: agents parse it.
    serde_json::from_str::<serde_json::Value>(&text).map_err(|e| {
        crate::error::UserError::new(format!("template agent-context.json.j2 does not render JSON: {e}"))
            .hint("fix the template in the project's templates_dir")
    })?;
    render::write_atomic(path, &text, 0o600)?;
    Ok(())
}
