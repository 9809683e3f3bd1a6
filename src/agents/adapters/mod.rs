//! Adapters for coding-agent CLIs (`[agents.<id>] kind`): for each kind, the documented
//! non-interactive invocation ([`invocation`]), the provider routing it needs ([`routing`]),
//! the parser of its streamed output (one module per CLI) and the result cfn takes from it:
//! final message, `cfn-report` block, tokens and cost ([`result`], [`report_block`]).

mod aider;
mod claude;
mod codex;
mod gemini;
pub mod invocation;
mod opencode;
pub mod report_block;
pub mod result;
pub mod routing;
mod transcript;

pub use invocation::{argv, prompt_via, PromptVia};
pub use result::{AgentResult, Usage};
pub use transcript::Transcript;

use crate::config::agents::AgentKind;

/// The template an adapter agent's prompt is rendered from, unless its profile names another.
pub const DEFAULT_PROMPT_TEMPLATE: &str = "agent-prompt.md.j2";

/// The parser of `kind`'s output.
pub fn transcript(kind: AgentKind) -> Box<dyn Transcript> {
    match kind {
        AgentKind::ClaudeCode => Box::new(claude::ClaudeStream::default()),
        AgentKind::Codex => Box::new(codex::CodexJsonl::default()),
        AgentKind::Gemini => Box::new(gemini::GeminiJson::default()),
        AgentKind::Opencode => Box::new(opencode::OpencodeJsonl::default()),
        AgentKind::Aider | AgentKind::Command | AgentKind::Person => Box::new(aider::AiderText::default()),
    }
}
