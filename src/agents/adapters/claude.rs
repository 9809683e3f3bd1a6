//! Claude Code's `--output-format stream-json` (with `--verbose`): one JSON object a line — a
//! `system`/`init` message, then `assistant` and `user` messages (content blocks: `text`,
//! `tool_use`, `tool_result`), and last a `result` message with `subtype` (`success` or an
//! `error_*`), `is_error`, `result` (the final text), `total_cost_usd` and the cumulative
//! `usage` (`input_tokens`, `output_tokens`, `cache_creation_input_tokens`,
//! `cache_read_input_tokens`). Source: Claude Code's headless-mode and SDK cost-tracking docs
//! (docs.claude.com/en/docs/claude-code/headless, …/sdk/sdk-cost-tracking).

use super::result::{Parsed, Usage};
use super::transcript::{count, json_line, Collected, Transcript};
use serde_json::Value;

#[derive(Default)]
pub struct ClaudeStream(Collected);

impl Transcript for ClaudeStream {
    fn line(&mut self, line: &str) {
        let Some(v) = json_line(line) else { return };
        match v.get("type").and_then(Value::as_str) {
            Some("assistant") => {
                let content = v.pointer("/message/content").and_then(Value::as_array);
                for block in content.into_iter().flatten() {
                    if block.get("type").and_then(Value::as_str) == Some("text") {
                        if let Some(text) = block.get("text").and_then(Value::as_str) {
                            self.0.text(text);
                        }
                    }
                }
            }
            Some("result") => {
                let text = v.get("result").and_then(Value::as_str).map(str::to_string);
                let failed = v.get("is_error").and_then(Value::as_bool).unwrap_or(false)
                    || v.get("subtype").and_then(Value::as_str).is_some_and(|s| s != "success");
                if failed {
                    let subtype = v.get("subtype").and_then(Value::as_str).unwrap_or("error");
                    self.0
                        .error(text.clone().filter(|t| !t.is_empty()).unwrap_or_else(|| subtype.to_string()));
                }
                if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
                    self.0.parsed.final_message = Some(text);
                }
                if let Some(usage) = v.get("usage") {
                    self.0.usage(Usage {
                        input_tokens: count(usage, "input_tokens"),
                        output_tokens: count(usage, "output_tokens"),
                        cache_read_tokens: count(usage, "cache_read_input_tokens"),
                        cache_write_tokens: count(usage, "cache_creation_input_tokens"),
                        cost_usd: v.get("total_cost_usd").and_then(Value::as_f64),
                    });
                }
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
        let mut t: Box<dyn Transcript> = Box::new(ClaudeStream::default());
        lines.iter().for_each(|l| t.line(l));
        t.finish()
    }

    #[test]
    fn final_message_usage_and_cost_come_from_the_result() {
        let p = parse(&[
            r#"{"type":"system","subtype":"init","session_id":"s","tools":["Bash"],"model":"claude-sonnet-4-5"}"#,
            r#"{"type":"assistant","message":{"content":[{"type":"text","text":"Looking."},{"type":"tool_use","id":"t","name":"Bash","input":{"command":"ls"}}]}}"#,
            r#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t","content":"```cfn-report\n{\"confidence\":1}\n```"}]}}"#,
            "not json: a warning",
            r#"{"type":"result","subtype":"success","is_error":false,"result":"Done.","total_cost_usd":0.0421,"usage":{"input_tokens":1200,"output_tokens":340,"cache_creation_input_tokens":50,"cache_read_input_tokens":900}}"#,
        ]);
        assert_eq!(p.final_message.as_deref(), Some("Done."));
        assert_eq!(p.assistant_text, ["Looking."], "tool output is not the model's text");
        let u = p.usage.unwrap();
        assert_eq!(
            (u.input_tokens, u.output_tokens, u.cache_write_tokens, u.cache_read_tokens),
            (1200, 340, 50, 900)
        );
        assert_eq!(u.cost_usd, Some(0.0421));
        assert!(p.error.is_none());
    }

    #[test]
    fn an_error_result_is_the_cli_error() {
        let p = parse(&[r#"{"type":"result","subtype":"error_max_turns","is_error":true,"num_turns":3}"#]);
        assert_eq!(p.error.as_deref(), Some("error_max_turns"));
        assert!(p.final_message.is_none());
    }
}
