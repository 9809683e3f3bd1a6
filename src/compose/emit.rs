//! Writing a YAML tree back out so that every compose reads it the same way.
//!
//! `serde_norway::to_string` quotes only what a YAML 1.2 reader would
//! misread; compose v1 reads YAML 1.1 (PyYAML), where a plain `yes`, `on` or
//! `22:22` is a boolean or a base-60 number. So this emitter writes a string
//! plain only when it is unmistakably a string under both versions, and
//! double-quotes everything else. Multi-line strings become literal blocks
//! when that is lossless. Comments of the original file are not kept.

use serde_norway::{Mapping, Value};

use super::error::ComposeError;
use super::scalar::{literal_ok, scalar_text};

/// The YAML text of `value`, block style, two-space indents.
pub fn to_yaml(value: &Value) -> Result<String, ComposeError> {
    let mut out = String::new();
    match value {
        Value::Mapping(m) if !m.is_empty() => mapping(m, 0, &mut out)?,
        Value::Sequence(s) if !s.is_empty() => sequence(s, 0, &mut out)?,
        other => node(other, 2, &mut out)?,
    }
    Ok(out)
}

fn mapping(map: &Mapping, indent: usize, out: &mut String) -> Result<(), ComposeError> {
    for (key, value) in map {
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar_text(key)?);
        out.push(':');
        node(value, indent + 2, out)?;
    }
    Ok(())
}

fn sequence(items: &[Value], indent: usize, out: &mut String) -> Result<(), ComposeError> {
    for item in items {
        let mut nested = String::new();
        match item {
            Value::Mapping(m) if !m.is_empty() => mapping(m, indent + 2, &mut nested)?,
            Value::Sequence(s) if !s.is_empty() => sequence(s, indent + 2, &mut nested)?,
            other => {
                out.push_str(&" ".repeat(indent));
                out.push('-');
                node(other, indent + 2, out)?;
                continue;
            }
        }
        // a nested collection starts on the dash's own line
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        out.push_str(&nested[indent + 2..]);
    }
    Ok(())
}

/// Everything after `key:` or `-`: a space and a scalar, or a newline and
/// an indented block.
fn node(value: &Value, indent: usize, out: &mut String) -> Result<(), ComposeError> {
    match value {
        Value::Mapping(m) if !m.is_empty() => {
            out.push('\n');
            mapping(m, indent, out)
        }
        Value::Sequence(s) if !s.is_empty() => {
            out.push('\n');
            sequence(s, indent, out)
        }
        Value::Null if indent > 0 => {
            out.push('\n');
            Ok(())
        }
        Value::Mapping(_) | Value::Sequence(_) => {
            out.push_str(if value.is_mapping() { " {}\n" } else { " []\n" });
            Ok(())
        }
        Value::Tagged(t) => {
            out.push(' ');
            out.push_str(&t.tag.to_string());
            node(&t.value, indent, out)
        }
        Value::String(s) if literal_ok(s) => {
            let trailing = s.len() - s.trim_end_matches('\n').len();
            out.push_str(match trailing {
                0 => " |-\n",
                1 => " |\n",
                _ => " |+\n",
            });
            for line in s.trim_end_matches('\n').split('\n') {
                if !line.is_empty() {
                    out.push_str(&" ".repeat(indent));
                    out.push_str(line);
                }
                out.push('\n');
            }
            out.push_str(&"\n".repeat(trailing.saturating_sub(1)));
            Ok(())
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar)?);
            out.push('\n');
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_norway::from_str(text).unwrap()
    }

    #[test]
    fn quotes_what_yaml_1_1_would_misread() {
        let v = yaml(
            "a: 'yes'\nb: 'on'\nc: '22:22'\nd: 'true'\ne: '1e3'\nf: '0x1f'\ng: '2001-12-14'\nh: ''\n\
             i: '~'\nj: '1_000'\nk: 'null'\nl: '0755'\nm: 'a: b'\nn: 'x #y'\no: '*x'\np: '-1'\nq: 'N'\n",
        );
        let out = to_yaml(&v).unwrap();
        for line in out.lines() {
            assert!(line.contains(": \""), "not quoted: {line}");
        }
        assert_eq!(yaml(&out), v);
    }

    #[test]
    fn plain_where_unambiguous() {
        let v = yaml(
            "image: redis:7-alpine\ninterval: 10s\nshm: 2gb\nflag: --version\nenv: A=b c\nnum: 5\nf: 0.5\nt: true\nz:\n",
        );
        assert_eq!(
            to_yaml(&v).unwrap(),
            "image: redis:7-alpine\ninterval: 10s\nshm: 2gb\nflag: --version\nenv: A=b c\nnum: 5\nf: 0.5\nt: true\nz:\n"
        );
    }

    #[test]
    fn blocks_lists_and_tags() {
        let mut v = yaml(
            "s:\n  p:\n    - {target: 80, published: 8080}\n    - [a, b]\n    - '80'\n  e: {}\n  l: []\n",
        );
        let tagged = serde_norway::value::TaggedValue {
            tag: serde_norway::value::Tag::new("override"),
            value: yaml("['8080:80']"),
        };
        v["s"]["o"] = Value::Tagged(Box::new(tagged));
        let out = to_yaml(&v).unwrap();
        assert_eq!(
            out,
            "s:\n  p:\n    - target: 80\n      published: 8080\n    - - a\n      - b\n    - \"80\"\n  \
             e: {}\n  l: []\n  o: !override\n    - \"8080:80\"\n"
        );
        assert_eq!(yaml(&out), v);
    }

    #[test]
    fn top_level_scalars() {
        for v in [Value::Null, Value::from("a\n---\nb"), Value::from(3), Value::Sequence(vec![])] {
            assert_eq!(yaml(&to_yaml(&v).unwrap()), v);
        }
    }

    #[test]
    fn multi_line_strings_survive() {
        for s in [
            "a\nb",
            "a\nb\n",
            "a\n\n  b\n\n\n",
            "  lead\nx",
            "trail \nx",
            "tab\there\n",
            "cr\r\nx",
            "\u{85}x\ny",
        ] {
            let v = yaml("k: 1")
                .as_mapping()
                .map(|_| {
                    let mut m = Mapping::new();
                    m.insert("k".into(), Value::from(s));
                    m.insert("l".into(), Value::Sequence(vec![Value::from(s)]));
                    Value::Mapping(m)
                })
                .unwrap();
            let out = to_yaml(&v).unwrap();
            assert_eq!(yaml(&out), v, "{s:?} -> {out}");
        }
        let v = yaml("k: \"line one\\nline two\\n\"");
        assert_eq!(to_yaml(&v).unwrap(), "k: |\n  line one\n  line two\n");
    }
}
