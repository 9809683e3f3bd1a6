//! How one scalar is written: plain only when no YAML 1.1 or 1.2 reader
//! (PyYAML in compose v1, go-yaml in v2, libyaml here) can take it for
//! anything but the string it is; double-quoted otherwise; floats in the
//! form YAML 1.1 recognises. Multi-line strings may instead be written as a
//! literal block when [`literal_ok`] says that is lossless.

use serde_norway::{Number, Value};

use super::error::ComposeError;

pub(super) fn scalar_text(value: &Value) -> Result<String, ComposeError> {
    Ok(match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) if plain_ok(s) => s.clone(),
        Value::String(s) => quoted(s),
        Value::Tagged(t) => format!("{} {}", t.tag, scalar_text(&t.value)?),
        Value::Mapping(_) | Value::Sequence(_) => {
            return Err(ComposeError::Emit(
                "a mapping key must be a plain value, not a list or mapping".into(),
            ));
        }
    })
}

/// Floats in the form YAML 1.1 recognises (a dot, a signed exponent).
fn number(n: &Number) -> String {
    let text = n.to_string();
    if !n.is_f64() || text.contains('.') || !text.contains('e') {
        return text;
    }
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let sign = if exp.starts_with('-') { "" } else { "+" };
    format!("{mantissa}.0e{sign}{}", exp.trim_start_matches('+'))
}

/// A plain scalar only when no YAML 1.1 or 1.2 reader can take it for
/// anything but this string.
fn plain_ok(s: &str) -> bool {
    const RESERVED: [&str; 10] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan"];
    let Some(first) = s.chars().next() else {
        return false;
    };
    let option = s.trim_start_matches('-');
    let option_like = s.len() - option.len() <= 2 && option.starts_with(|c: char| c.is_ascii_alphabetic());
    (first.is_ascii_alphabetic() || first == '_' || first == '/' || option_like || size_like(s))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:=+@% ".contains(c))
        && !RESERVED.iter().any(|r| s.eq_ignore_ascii_case(r))
}

/// `10s`, `2gb`, `512m`: digits then letters, which no YAML version reads
/// as a number (no leading `0` as in `0x1f`, no `e` as in `1e3`).
fn size_like(s: &str) -> bool {
    let unit = s.trim_start_matches(|c: char| c.is_ascii_digit());
    !s.starts_with('0')
        && unit.len() < s.len()
        && !unit.is_empty()
        && unit.chars().all(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
}

/// A literal block (`|`) keeps the string exactly when its lines carry no
/// trailing blanks and no control characters, and its first line does not
/// start with a blank (which would change the detected indentation).
pub(super) fn literal_ok(s: &str) -> bool {
    let body = s.trim_end_matches('\n');
    body.contains('\n')
        && !body.starts_with(['\n', ' ', '\t'])
        && body.split('\n').all(|line| !line.ends_with([' ', '\t']))
        && !s
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || "\u{feff}\u{2028}\u{2029}".contains(c))
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || "\u{feff}\u{2028}\u{2029}".contains(c) => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_keep_a_dot_and_signed_exponent() {
        assert_eq!(number(&Number::from(1e20)), "1.0e+20");
        assert_eq!(number(&Number::from(1.5e-7)), "1.5e-7");
        assert_eq!(number(&Number::from(0.25)), "0.25");
        assert_eq!(number(&Number::from(7)), "7");
    }

    #[test]
    fn plain_or_quoted() {
        for plain in ["redis:7-alpine", "10s", "2gb", "--version", "-d", "A=b c", "/data", "_x"] {
            assert!(plain_ok(plain), "{plain}");
        }
        let needs_quotes = [
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "n",
            "true",
            "null",
            "22:22",
            "1e3",
            "0x1f",
            "0o17",
            "2001-12-14",
            "",
            "~",
            "1_000",
            "0755",
            "a: b",
            "x #y",
            "*x",
            "-1",
            "---",
            "16-alpine",
            "./data",
            "a:",
            "trailing ",
            "héllo",
            "[a]",
            "{a}",
            "&a",
            "!t",
            "%x",
            "@x",
            "`x`",
        ];
        for text in needs_quotes {
            assert!(!plain_ok(text), "{text}");
        }
        assert_eq!(quoted("a\"b\\c\n\t\u{1}é"), "\"a\\\"b\\\\c\\n\\t\\u0001é\"");
    }
}
