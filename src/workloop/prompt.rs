//! The prompt of an agent of a CLI kind: rendered from its template (`agent-prompt.md.j2`, or
//! the profile's `prompt_template`; a project overrides either in its templates_dir) with the
//! agent's context, and written 0600 next to its context file.

use super::phase::RunContext;
use crate::agents::adapters::report_block::FENCE_TAG;
use crate::agents::adapters::DEFAULT_PROMPT_TEMPLATE;
use crate::agents::{AgentContext, AgentProfile};
use anyhow::Result;
use serde::Serialize;
use std::path::Path;

/// What a prompt template sees: the context file's values and a few more.
#[derive(Serialize)]
struct PromptContext<'a> {
    #[serde(flatten)]
    context: &'a AgentContext,
    /// The agent's kind (`claude-code`, …).
    kind: &'static str,
    /// Where the agent finds the same values as JSON.
    context_file: String,
    /// Names of the branch's variables, which the agent has in its environment (values stay
    /// out of the prompt: a prompt goes to the model's provider).
    env_names: Vec<String>,
    /// The info string of the report block (`cfn-report`).
    report_tag: &'static str,
}

pub fn render(
    rc: &RunContext,
    profile: &AgentProfile,
    context: &AgentContext,
    context_file: &Path,
    path: &Path,
) -> Result<String> {
    let template = profile.prompt_template.as_deref().unwrap_or(DEFAULT_PROMPT_TEMPLATE);
    let values = PromptContext {
        context,
        kind: profile.kind.as_str(),
        context_file: context_file.to_string_lossy().into_owned(),
        env_names: rc.branch_env.keys().filter(|k| k.as_str() != "CFN_REDIS_URL").cloned().collect(),
        report_tag: FENCE_TAG,
    };
    let prompt = rc.renderer.render(template, &values)?;
    crate::render::write_atomic(path, &prompt, 0o600)?;
    Ok(prompt)
}
