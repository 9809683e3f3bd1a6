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

#[cfg(test)]
mod tests {
    use crate::render::Renderer;
    use serde_json::json;

    fn render(role: &str, feedback: &[&str]) -> String {
        let values = json!({
            "task_id": "t1", "agent_id": "a1", "role": role, "iteration": 2, "max_iterations": 5,
            "mode": "mvp", "epic": "Add {{ login }} and `$(x)`\n- keep it", "gate_threshold": 0.7,
            "consensus_threshold": 0.8, "feedback": feedback,
            "endpoints": [{"key": "web", "service": "app", "port": 8001, "url": "http://127.0.0.1:8001"}],
            "provider": null, "model": null, "temperature": null, "max_tokens": null, "redis_url": null,
            "branch": "feat", "worktree": "/w", "kind": "claude-code", "context_file": "/w/ctx.json",
            "env_names": ["DATABASE_URL", "WEB_PORT"], "report_tag": "cfn-report",
            "checks": if role == "implementer" { json!([]) } else { json!([
                {"name": "tests", "passed": false, "exit_code": 1, "duration_secs": 0.5, "reason": null,
                 "required": true, "output": "FAILED test_login"},
            ]) },
            "confidences": if role == "product-owner" { json!([
                {"agent": "v", "source": "checks", "reported": 0.9, "checks": 0.0, "passed": 0, "total": 1, "used": 0.0},
            ]) } else { json!([]) },
        });
        Renderer::new(None).render(super::DEFAULT_PROMPT_TEMPLATE, &values).unwrap()
    }

    #[test]
    fn the_built_in_prompt_holds_the_epic_verbatim_the_feedback_and_how_to_report() {
        let p = render("implementer", &["gate failed: mean confidence 0.20, needed 0.70"]);
        assert!(p.contains("<epic>\nAdd {{ login }} and `$(x)`\n- keep it\n</epic>"), "{p}");
        assert!(p.contains("- gate failed: mean confidence 0.20, needed 0.70"), "{p}");
        assert!(p.contains("- app (web): http://127.0.0.1:8001"), "{p}");
        assert!(p.contains("DATABASE_URL, WEB_PORT") && p.contains("/w/ctx.json"), "{p}");
        assert!(p.contains("```cfn-report\n{\"confidence\": 0.9"), "{p}");
        assert!(!p.contains("\"decision\""), "only the product owner decides");
        let po = render("product-owner", &[]);
        assert!(
            po.contains("\"decision\": \"PROCEED\"") && po.contains("None: this is the first iteration."),
            "{po}"
        );
        assert!(!p.contains("## Checks"), "implementers get no checks section");
        assert!(po.contains("- v: reported 0.9, checks 0.0 (0 of 1 passed); counted: 0.0 (checks)"), "{po}");
        let v = render("validator", &[]);
        assert!(v.contains("Do not change the code."));
        assert!(
            v.contains(
                "- tests: FAILED (exit code 1, 0.5s, required by the gate)\n```text\nFAILED test_login\n```"
            ),
            "{v}"
        );
    }
}
