//! aider has no machine-readable output: with `--message`/`--message-file` it prints the
//! model's reply (and its edits) as text, and after each model call a line
//! `Tokens: 3.0k sent, 1.1k cache write, 42 received. Cost: $0.0063 message, $0.0063 session.`
//! The final message is what aider printed; tokens are summed over those lines, the cost is
//! the last `session` figure. Source: aider's scripting docs (aider.chat/docs/scripting.html)
//! and its usage report format.

use super::result::{tail, Parsed, Usage};
use super::transcript::Transcript;

#[derive(Default)]
pub struct AiderText {
    text: String,
    usage: Option<Usage>,
}

const KEPT: usize = 256 * 1024;

impl Transcript for AiderText {
    fn line(&mut self, line: &str) {
        let trimmed = line.trim_start_matches(['>', ' ']);
        if let Some(report) = trimmed.strip_prefix("Tokens:") {
            let usage = self.usage.get_or_insert_with(Usage::default);
            let (tokens, cost) = report.split_once("Cost:").unwrap_or((report, ""));
            for part in tokens.split(", ") {
                let part = part.trim().trim_end_matches('.');
                let (number, what) = part.split_once(' ').unwrap_or((part, ""));
                let n = number_of(number);
                match what.trim() {
                    "sent" => usage.input_tokens += n,
                    "received" => usage.output_tokens += n,
                    "cache write" => usage.cache_write_tokens += n,
                    "cache hit" => usage.cache_read_tokens += n,
                    _ => {}
                }
            }
            if let Some(session) = cost.split(',').find(|p| p.contains("session")) {
                let figure = session.trim().trim_start_matches('$').split(' ').next().unwrap_or("");
                if let Ok(cost) = figure.parse::<f64>() {
                    usage.cost_usd = Some(cost);
                }
            }
            return;
        }
        self.text.push_str(line);
        self.text.push('\n');
        if self.text.len() > 2 * KEPT {
            self.text = tail(&self.text, KEPT);
        }
    }

    fn finish(self: Box<Self>) -> Parsed {
        let text = self.text.trim().to_string();
        Parsed {
            assistant_text: Vec::new(),
            final_message: (!text.is_empty()).then_some(text),
            usage: self.usage,
            error: None,
        }
    }
}

/// `42`, `12,450`, `3.0k`, `1.2M` as a count.
fn number_of(text: &str) -> u64 {
    let text = text.replace(',', "");
    let (digits, scale) = match text.chars().last() {
        Some('k') => (&text[..text.len() - 1], 1e3),
        Some('M') => (&text[..text.len() - 1], 1e6),
        _ => (text.as_str(), 1.0),
    };
    digits.parse::<f64>().map(|n| (n * scale).round() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_lines_are_summed_and_the_rest_is_the_message() {
        let mut t: Box<dyn Transcript> = Box::new(AiderText::default());
        for line in [
            "Aider v0.86.2",
            "Model: anthropic/claude-sonnet-4-5 with diff edit format",
            "I added the endpoint.",
            "Tokens: 3.0k sent, 1.1k cache write, 42 received. Cost: $0.0063 message, $0.0063 session.",
            "Applied edit to app.py",
            "> Tokens: 12,450 sent, 2.5k received. Cost: $0.05 message, $0.0563 session.",
            "```cfn-report",
            "{\"confidence\": 0.7}",
            "```",
        ] {
            t.line(line);
        }
        let p = t.finish();
        let u = p.usage.clone().unwrap();
        assert_eq!((u.input_tokens, u.output_tokens, u.cache_write_tokens), (15450, 2542, 1100));
        assert_eq!(u.cost_usd, Some(0.0563));
        let message = p.final_message.unwrap();
        assert!(message.contains("I added the endpoint.") && !message.contains("Tokens:"), "{message}");
        assert_eq!(number_of("1.2M"), 1_200_000);
    }
}
