//! What cfn takes from a coding-agent CLI's output: its final message, the report block the
//! agent wrote (if any), the tokens and cost the CLI reported, and the error it reported.

use super::report_block::{self, ReportBlock};
use serde::{Deserialize, Serialize};

/// Tokens and cost of one agent turn, as the CLI reported them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    /// US dollars; only some CLIs report it (Claude Code, opencode, aider).
    pub cost_usd: Option<f64>,
}

impl Usage {
    pub fn add(&mut self, other: &Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_read_tokens += other.cache_read_tokens;
        self.cache_write_tokens += other.cache_write_tokens;
        self.cost_usd = match (self.cost_usd, other.cost_usd) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
    }
}

/// What a transcript parser saw: the texts the model wrote (oldest first), the final message,
/// usage and an error the CLI reported.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub assistant_text: Vec<String>,
    pub final_message: Option<String>,
    pub usage: Option<Usage>,
    pub error: Option<String>,
}

/// The result of an adapter agent's turn, recorded with its outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AgentResult {
    /// The CLI's final message (its last 4000 characters).
    pub final_message: Option<String>,
    /// The agent's `cfn-report` block, when it wrote a valid one.
    pub report: Option<ReportBlock>,
    /// Why the agent's report block was refused, when it wrote an invalid one.
    pub report_error: Option<String>,
    pub usage: Option<Usage>,
    /// An error the CLI itself reported (a failed turn, an API error).
    pub cli_error: Option<String>,
}

const KEPT_CHARS: usize = 4000;

impl AgentResult {
    /// The report block is looked for in the final message first, then in the model's earlier
    /// messages, newest first; never in tool output, which may quote anything.
    pub fn from_parsed(parsed: Parsed) -> AgentResult {
        let texts = parsed.final_message.iter().chain(parsed.assistant_text.iter().rev());
        let mut found = None;
        for text in texts {
            if let Some(block) = report_block::last_in(text) {
                found = Some(block);
                break;
            }
        }
        let (report, report_error) = match found {
            Some(Ok(block)) => (Some(block), None),
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        let final_message = parsed.final_message.or_else(|| parsed.assistant_text.last().cloned());
        AgentResult {
            final_message: final_message.map(|m| tail(m.trim(), KEPT_CHARS)),
            report,
            report_error,
            usage: parsed.usage,
            cli_error: parsed.error,
        }
    }

    /// Why this agent did not report, in one line, when it did not.
    pub fn missing_report(&self) -> Option<String> {
        if self.report.is_some() {
            return None;
        }
        Some(match (&self.report_error, &self.cli_error) {
            (Some(e), _) => format!("its cfn-report block is not valid: {e}"),
            (None, Some(e)) => format!("the CLI reported an error: {e}"),
            (None, None) if self.final_message.is_none() => "it wrote no final message".to_string(),
            (None, None) => "its final message holds no cfn-report block".to_string(),
        })
    }
}

/// The last `max` characters of `text`.
pub fn tail(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    text.chars().skip(count - max).collect()
}
