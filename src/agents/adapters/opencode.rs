//! opencode's `opencode run --format json`: JSON Lines events, each with `type`, `timestamp`,
//! `sessionID` — `step_start`, `text` (`part.text`, a finished text part), `tool_use`,
//! `step_finish` (`part.cost` in dollars and `part.tokens`: `input`, `output`, `reasoning`,
//! `cache.read`, `cache.write`), `error` (`error.name`, `error.data.message`). Source: opencode's
//! `run` command (packages/opencode/src/cli/cmd/run.ts) and CLI docs (opencode.ai/docs/cli).

use super::result::{Parsed, Usage};
use super::transcript::{count, json_line, message_of, Collected, Transcript};
use serde_json::Value;

#[derive(Default)]
pub struct OpencodeJsonl(Collected);

impl Transcript for OpencodeJsonl {
    fn line(&mut self, line: &str) {
        let Some(v) = json_line(line) else { return };
        match v.get("type").and_then(Value::as_str) {
            Some("text") => {
                if let Some(text) = v.pointer("/part/text").and_then(Value::as_str) {
                    self.0.text(text);
                    if !text.trim().is_empty() {
                        self.0.parsed.final_message = Some(text.to_string());
                    }
                }
            }
            Some("step_finish") => {
                let Some(part) = v.get("part") else { return };
                let tokens = part.get("tokens").cloned().unwrap_or(Value::Null);
                let cache = tokens.get("cache").cloned().unwrap_or(Value::Null);
                self.0.usage(Usage {
                    input_tokens: count(&tokens, "input"),
                    output_tokens: count(&tokens, "output") + count(&tokens, "reasoning"),
                    cache_read_tokens: count(&cache, "read"),
                    cache_write_tokens: count(&cache, "write"),
                    cost_usd: part.get("cost").and_then(Value::as_f64),
                });
            }
            Some("error") => self
                .0
                .error(message_of(v.get("error")).unwrap_or_else(|| "opencode reported an error".into())),
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

    #[test]
    fn text_parts_and_step_costs() {
        let mut t: Box<dyn Transcript> = Box::new(OpencodeJsonl::default());
        for line in [
            r#"{"type":"step_start","timestamp":1767036059338,"sessionID":"ses_1","part":{"type":"step-start"}}"#,
            r#"{"type":"tool_use","timestamp":1,"sessionID":"ses_1","part":{"tool":"bash","state":{"status":"completed","output":"```cfn-report"}}}"#,
            r#"{"type":"step_finish","timestamp":2,"sessionID":"ses_1","part":{"type":"step-finish","reason":"tool-calls","cost":0.01,"tokens":{"input":1000,"output":50,"reasoning":5,"cache":{"read":200,"write":10}}}}"#,
            r#"{"type":"text","timestamp":3,"sessionID":"ses_1","part":{"type":"text","text":"All done."}}"#,
            r#"{"type":"step_finish","timestamp":4,"sessionID":"ses_1","part":{"type":"step-finish","reason":"stop","cost":0.02,"tokens":{"input":10,"output":5,"reasoning":0,"cache":{"read":0,"write":0}}}}"#,
            r#"{"type":"error","timestamp":5,"sessionID":"ses_1","error":{"name":"APIError","data":{"message":"rate limited"}}}"#,
        ] {
            t.line(line);
        }
        let p = t.finish();
        assert_eq!(p.final_message.as_deref(), Some("All done."));
        let u = p.usage.unwrap();
        assert_eq!(
            (u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens),
            (1010, 60, 200, 10)
        );
        assert!((u.cost_usd.unwrap() - 0.03).abs() < 1e-9);
        assert_eq!(p.error.as_deref(), Some("rate limited"));
    }
}
