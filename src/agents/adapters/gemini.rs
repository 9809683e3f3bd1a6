//! Gemini CLI's `--output-format json`: one JSON object (possibly over several lines) with
//! `response` (the final answer), `stats` (`stats.models.<model>.tokens` with `prompt`,
//! `candidates`, `cached`, `thoughts`, `total`) and, when the request failed, `error`
//! (`type`, `message`, `code`). Gemini reports no cost. Source: Gemini CLI's headless-mode
//! reference (geminicli.com/docs/cli/headless, docs/cli/headless.md).

use super::result::{tail, Parsed, Usage};
use super::transcript::{count, message_of, Transcript};
use serde_json::Value;

/// The whole output is one document: kept (bounded) and parsed at the end.
#[derive(Default)]
pub struct GeminiJson(String);

const KEPT: usize = 8 * 1024 * 1024;

impl Transcript for GeminiJson {
    fn line(&mut self, line: &str) {
        if self.0.len() < KEPT {
            self.0.push_str(line);
            self.0.push('\n');
        }
    }

    fn finish(self: Box<Self>) -> Parsed {
        let text = self.0;
        // Anything the CLI printed around the object (a deprecation warning) is skipped.
        let object = match (text.find('{'), text.rfind('}')) {
            (Some(start), Some(end)) if start < end => serde_json::from_str::<Value>(&text[start..=end]).ok(),
            _ => None,
        };
        let Some(v) = object else {
            let shown = tail(text.trim(), 300);
            return Parsed {
                error: Some(if shown.is_empty() {
                    "no output".into()
                } else {
                    format!("output is not Gemini CLI's JSON: {shown}")
                }),
                ..Parsed::default()
            };
        };
        let response = v.get("response").and_then(Value::as_str).map(str::to_string);
        let usage = v.pointer("/stats/models").and_then(Value::as_object).map(|models| {
            let mut total = Usage::default();
            for tokens in models.values().filter_map(|m| m.get("tokens")) {
                total.add(&Usage {
                    input_tokens: count(tokens, "prompt"),
                    output_tokens: count(tokens, "candidates") + count(tokens, "thoughts"),
                    cache_read_tokens: count(tokens, "cached"),
                    cache_write_tokens: 0,
                    cost_usd: None,
                });
            }
            total
        });
        Parsed {
            assistant_text: response.iter().cloned().collect(),
            final_message: response.filter(|r| !r.trim().is_empty()),
            usage,
            error: message_of(v.get("error")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        let mut t: Box<dyn Transcript> = Box::new(GeminiJson::default());
        text.lines().for_each(|l| t.line(l));
        t.finish()
    }

    #[test]
    fn response_and_tokens_of_every_model() {
        let p = parse(
            r#"Loaded cached credentials.
{
  "response": "Done.\n```cfn-report\n{\"confidence\": 0.8}\n```",
  "stats": {
    "models": {
      "gemini-2.5-pro": {"api": {"totalRequests": 2}, "tokens": {"prompt": 24939, "candidates": 20, "total": 25113, "cached": 21263, "thoughts": 154, "tool": 0}},
      "gemini-2.5-flash": {"tokens": {"prompt": 100, "candidates": 5, "total": 105, "cached": 0, "thoughts": 0}}
    },
    "tools": {"totalCalls": 1}
  }
}"#,
        );
        assert!(p.final_message.unwrap().starts_with("Done."));
        let u = p.usage.unwrap();
        assert_eq!((u.input_tokens, u.output_tokens, u.cache_read_tokens), (25039, 179, 21263));
        assert!(p.error.is_none());
    }

    #[test]
    fn an_error_object_and_non_json_output() {
        let p = parse(
            r#"{"response": "", "stats": {}, "error": {"type": "ApiError", "message": "quota exceeded", "code": 429}}"#,
        );
        assert_eq!(p.error.as_deref(), Some("quota exceeded"));
        assert!(p.final_message.is_none());
        assert!(parse("Error: not authenticated").error.unwrap().contains("not authenticated"));
    }
}
