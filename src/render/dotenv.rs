//! Dotenv values: quoting that shells, compose v1 and compose v2 all read back verbatim, and the
//! reader cfn uses on its own rendered files.
//!
//! A value of plain characters is written bare; otherwise single quotes (literal everywhere:
//! no `$` expansion, `#` is not a comment); a value holding a single quote is written in double
//! quotes with `\`, `"`, `$` and `` ` `` escaped. Newlines cannot be represented portably and
//! are refused by the callers (branch names cannot hold them; paths holding them are rejected).

use indexmap::IndexMap;

fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-./:@%+,=".contains(c)
}

pub fn quote(value: &str) -> String {
    if !value.is_empty() && value.chars().all(is_plain) {
        value.to_string()
    } else if !value.contains('\'') {
        format!("'{value}'")
    } else {
        let mut out = String::from("\"");
        for c in value.chars() {
            if matches!(c, '\\' | '"' | '$' | '`') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    }
}

/// Whether `key` is a portable environment variable name, `[A-Za-z_][A-Za-z0-9_]*`: the only
/// names that a shell, compose and `env` all take as a name and never as code or syntax.
pub fn is_env_name(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reads `KEY=value` lines as written by [`quote`] (and simple hand-written ones).
pub fn parse(text: &str) -> IndexMap<String, String> {
    let mut vars = IndexMap::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, raw)) = line.split_once('=') else { continue };
        vars.insert(key.trim().to_string(), unquote(raw.trim()));
    }
    vars
}

fn unquote(raw: &str) -> String {
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return inner.to_string();
    }
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    // A bare value ends at an unquoted comment.
    raw.split(" #").next().unwrap_or("").trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        for ok in ["A", "_x", "CFN_REDIS_PORT", "a1"] {
            assert!(is_env_name(ok), "{ok}");
        }
        for bad in ["", "1A", "$(touch x)", "A B", "A-B", "A.B", "`x`", "A=B", "É"] {
            assert!(!is_env_name(bad), "{bad}");
        }
    }

    #[test]
    fn round_trips() {
        for v in ["plain-1.2", "", "a b", "it's $HOME", "#x", "a\"b", "$(rm -rf /)", "`x`", "a\\b'c"] {
            let text = format!("K={}\n", quote(v));
            assert_eq!(parse(&text)["K"], v, "{text}");
        }
    }
}
