//! Codex's `codex exec --json`: JSON Lines events — `thread.started`, `turn.started`,
//! `item.started`/`item.updated`/`item.completed` (items typed `agent_message`, `reasoning`,
//! `command_execution`, `file_change`, …; early versions named the field `item_type` and the
//! message `assistant_message`), `turn.completed` with `usage` (`input_tokens`,
//! `cached_input_tokens`, `output_tokens`), `turn.failed` with `error.message`, and `error`.
//! Codex reports no cost. Source: the Codex CLI's non-interactive mode docs (docs/exec.md,
//! developers.openai.com/codex/noninteractive).

use super::result::{Parsed, Usage};
use super::transcript::{count, json_line, message_of, Collected, Transcript};
use serde_json::Value;

#[derive(Default)]
pub struct CodexJsonl(Collected);

impl Transcript for CodexJsonl {
    fn line(&mut self, line: &str) {
        let Some(v) = json_line(line) else { return };
        match v.get("type").and_then(Value::as_str) {
            Some("item.completed") => {
                let Some(item) = v.get("item") else { return };
                let kind = item.get("type").or_else(|| item.get("item_type")).and_then(Value::as_str);
                if matches!(kind, Some("agent_message" | "assistant_message")) {
                    if let Some(text) = item.get("text").and_then(Value::as_str) {
                        self.0.text(text);
                        self.0.parsed.final_message = Some(text.to_string());
                    }
                }
                if kind == Some("error") {
                    if let Some(m) = message_of(Some(item)) {
                        self.0.error(m);
                    }
                }
            }
            Some("turn.completed") => {
                if let Some(usage) = v.get("usage") {
                    self.0.usage(Usage {
                        input_tokens: count(usage, "input_tokens"),
                        output_tokens: count(usage, "output_tokens"),
                        cache_read_tokens: count(usage, "cached_input_tokens"),
                        cache_write_tokens: 0,
                        cost_usd: None,
                    });
                }
            }
            Some("turn.failed") | Some("error") => {
                let m = message_of(v.get("error")).or_else(|| message_of(Some(&v)));
                self.0.error(m.unwrap_or_else(|| "the turn failed".into()));
            }
            _ => {}
        }
    }

    fn finish(self: Box<Self>) -> Parsed {
        self.0.parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(lines: &[&str]) -> Parsed {
        let mut t: Box<dyn Transcript> = Box::new(CodexJsonl::default());
        lines.iter().for_each(|l| t.line(l));
        t.finish()
    }

    #[test]
    fn the_last_agent_message_and_summed_usage() {
        let p = parse(&[
            r#"{"type":"thread.started","thread_id":"0199a213-81c0"}"#,
            r#"{"type":"turn.started"}"#,
            r#"{"type":"item.completed","item":{"id":"item_0","type":"reasoning","text":"**Planning**"}}"#,
            r#"{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"bash -lc ls","aggregated_output":"```cfn-report","status":"completed"}}"#,
            r#"{"type":"item.completed","item":{"id":"item_2","type":"agent_message","text":"First."}}"#,
            r#"{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122}}"#,
            r#"{"type":"item.completed","item":{"id":"item_3","item_type":"assistant_message","text":"Second."}}"#,
            r#"{"type":"turn.completed","usage":{"input_tokens":100,"cached_input_tokens":0,"output_tokens":10}}"#,
        ]);
        assert_eq!(p.final_message.as_deref(), Some("Second."));
        assert_eq!(p.assistant_text, ["First.", "Second."]);
        let u = p.usage.unwrap();
        assert_eq!(
            (u.input_tokens, u.cache_read_tokens, u.output_tokens, u.cost_usd),
            (24863, 24448, 132, None)
        );
    }

    #[test]
    fn a_failed_turn_is_the_cli_error() {
        let p = parse(&[
            r#"{"type":"error","message":"You've hit your usage limit."}"#,
            r#"{"type":"turn.failed","error":{"message":"You've hit your usage limit."}}"#,
        ]);
        assert_eq!(p.error.as_deref(), Some("You've hit your usage limit."));
    }
}
