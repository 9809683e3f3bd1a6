//! Reading a CLI's standard output line by line as it streams, into a [`Parsed`] result.

use super::result::{tail, Parsed, Usage};
use serde_json::Value;

/// A CLI's output format, fed one line at a time.
pub trait Transcript: Send {
    fn line(&mut self, line: &str);
    fn finish(self: Box<Self>) -> Parsed;
}

/// The model texts kept while streaming: enough to find a report block, bounded in memory.
const KEPT_TEXTS: usize = 64;
const KEPT_TEXT_CHARS: usize = 64 * 1024;

/// Shared state of the JSON-lines parsers.
#[derive(Default)]
pub struct Collected {
    pub parsed: Parsed,
}

impl Collected {
    pub fn text(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let texts = &mut self.parsed.assistant_text;
        if texts.len() == KEPT_TEXTS {
            texts.remove(0);
        }
        texts.push(tail(text, KEPT_TEXT_CHARS));
    }

    pub fn usage(&mut self, usage: Usage) {
        self.parsed.usage.get_or_insert_with(Usage::default).add(&usage);
    }

    pub fn error(&mut self, message: String) {
        self.parsed.error = Some(match self.parsed.error.take() {
            Some(earlier) if earlier != message => format!("{earlier}; {message}"),
            _ => message,
        });
    }
}

/// A line as a JSON object; anything else (a warning a CLI printed) is `None`.
pub fn json_line(line: &str) -> Option<Value> {
    let line = line.trim();
    if !line.starts_with('{') {
        return None;
    }
    serde_json::from_str(line).ok()
}

/// A non-negative integer field, 0 when absent.
pub fn count(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

/// A string field, or the `message` of an object field.
pub fn message_of(v: Option<&Value>) -> Option<String> {
    let v = v?;
    v.as_str()
        .map(str::to_string)
        .or_else(|| v.get("message").and_then(Value::as_str).map(str::to_string))
        .or_else(|| v.get("data").and_then(|d| d.get("message")).and_then(Value::as_str).map(str::to_string))
        .or_else(|| v.get("name").and_then(Value::as_str).map(str::to_string))
}
