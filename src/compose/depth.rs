//! A quick nesting-depth check run on a compose file's text before it is parsed: a document
//! nested 100,000 levels deep (`[[[[…`) made the YAML parser take a minute to refuse it. Real
//! compose files nest a handful of levels; anything past [`MAX_DEPTH`] is refused at once.
//!
//! The count is deliberately simple and errs towards counting too much: flow brackets (`[`,
//! `{`) outside quotes and comments, plus the block structure's indentation levels and leading
//! `- ` markers. It is linear in the text's length.

/// The deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// `Err((line, message))` when the text nests deeper than [`MAX_DEPTH`].
pub fn check(text: &str) -> Result<(), (usize, String)> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    for (n, line) in text.lines().enumerate() {
        let mut block = 0;
        if quote.is_none() && flow == 0 {
            let content = line.trim_start_matches(' ');
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let indent = line.len() - content.len();
            while indents.last().is_some_and(|&i| i >= indent) {
                indents.pop();
            }
            indents.push(indent);
            let mut rest = content;
            while let Some(after) = rest.strip_prefix("- ") {
                block += 1;
                rest = after.trim_start_matches(' ');
            }
            block += indents.len();
        }
        let mut prev = ' ';
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match (quote, c) {
                (Some('"'), '\\') => {
                    chars.next();
                }
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '#') if prev == ' ' || prev == '\t' => break,
                (None, '"' | '\'') if matches!(prev, ' ' | '\t' | '[' | '{' | ',' | ':') => quote = Some(c),
                (None, '[' | '{') => {
                    flow += 1;
                    if block + flow > MAX_DEPTH {
                        return Err((n + 1, format!("nested more than {MAX_DEPTH} levels deep")));
                    }
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            prev = c;
        }
        if block + flow > MAX_DEPTH {
            return Err((n + 1, format!("nested more than {MAX_DEPTH} levels deep")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_files_pass() {
        let text = "services:\n  web:\n    image: x\n    command: [\"sh\", \"-c\", \"echo '[[[' # not a comment\"]\n    environment:\n      - A=1 # [\n      - 'B=[{'\n";
        assert_eq!(check(text), Ok(()));
    }

    #[test]
    fn a_document_nested_100000_deep_is_refused_at_once() {
        let started = std::time::Instant::now();
        let flow = format!("services: {}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(check(&flow).map_err(|(line, _)| line), Err(1));
        let block: String = (0..100).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        assert!(check(&block).is_err());
        let dashes = format!("x:\n{}y\n", "- ".repeat(100));
        assert!(check(&dashes).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn loading_a_deeply_nested_compose_file_fails_fast_with_the_line() {
        let text = format!("services:\n  web:\n    image: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let started = std::time::Instant::now();
        let err = crate::compose::load::ComposeFile::parse(std::path::Path::new("deep.yml"), &text).err();
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
        let message = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("deep.yml") && message.contains("nested more than 64"), "{message}");
    }
}
