//! Compose-style variable interpolation: `$VAR`, `${VAR}`, the default,
//! required and alternative forms (`:-` `-` `:?` `?` `:+` `+`, the colon
//! forms also treating an empty value as unset), `$$` for a literal `$`, and
//! defaults that themselves contain `${...}`. An unset variable without a
//! default becomes the empty string, as in compose. The default, message or
//! alternative text is only interpolated when it is used.

use indexmap::IndexMap;
use serde_norway::Value;

use super::error::ComposeError;

pub use super::dotenv::read_checkout_dotenv;

/// Interpolates every `$` expression of `text`, looking variables up in `env`.
pub fn interpolate(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, ComposeError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('{') {
            let end = closing_brace(inner).ok_or_else(|| invalid(text, "`${` is never closed by `}`"))?;
            out.push_str(&braced(&inner[..end], text, env)?);
            rest = &inner[end + 1..];
        } else {
            let len = name_len(after);
            if len == 0 {
                return Err(invalid(
                    text,
                    "`$` must be followed by a variable name, `{` or `$` (write `$$` for a literal `$`)",
                ));
            }
            out.push_str(&env(&after[..len]).unwrap_or_default());
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Interpolates every string inside `value` (mapping values and list items;
/// keys stay as written), keeping the structure and any tags.
pub fn interpolate_value(value: &Value, env: &dyn Fn(&str) -> Option<String>) -> Result<Value, ComposeError> {
    Ok(match value {
        Value::String(s) => Value::String(interpolate(s, env)?),
        Value::Sequence(items) => {
            Value::Sequence(items.iter().map(|v| interpolate_value(v, env)).collect::<Result<_, _>>()?)
        }
        Value::Mapping(map) => {
            let mut out = serde_norway::Mapping::with_capacity(map.len());
            for (k, v) in map {
                out.insert(k.clone(), interpolate_value(v, env)?);
            }
            Value::Mapping(out)
        }
        Value::Tagged(tagged) => {
            let mut tagged = tagged.clone();
            tagged.value = interpolate_value(&tagged.value, env)?;
            Value::Tagged(tagged)
        }
        other => other.clone(),
    })
}

/// The lookup compose uses: the shell's environment first, then the
/// project's `.env` values.
pub fn shell_then_dotenv(dotenv: &IndexMap<String, String>) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| std::env::var(name).ok().or_else(|| dotenv.get(name).cloned())
}

/// The body of `${...}`: a name, optionally followed by an operator and its
/// argument.
fn braced(body: &str, text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, ComposeError> {
    let len = name_len(body);
    if len == 0 {
        return Err(invalid(text, &format!("`${{{body}}}` does not start with a variable name")));
    }
    let (name, op) = body.split_at(len);
    let value = env(name);
    // `:-`, `:?` and `:+` treat a set but empty variable like an unset one
    let colon = op.starts_with(':');
    let mut rest = op.strip_prefix(':').unwrap_or(op).chars();
    let present = value.as_deref().is_some_and(|v| !(colon && v.is_empty()));
    let (operator, arg) = (rest.next(), rest.as_str());
    match operator {
        None if !colon => Ok(value.unwrap_or_default()),
        Some('-' | '?') if present => Ok(value.unwrap_or_default()),
        Some('-') => interpolate(arg, env),
        Some('?') => {
            Err(ComposeError::RequiredVariable { name: name.to_string(), message: interpolate(arg, env)? })
        }
        Some('+') if present => interpolate(arg, env),
        Some('+') => Ok(String::new()),
        _ => Err(invalid(text, &format!("unexpected {op:?} after variable {name}"))),
    }
}

/// The index of the `}` closing a `${` whose body starts `s`. Like compose,
/// every nested `${` opens a level (even after a `$`).
fn closing_brace(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'}' {
            if depth == 0 {
                return Some(i);
            }
            depth -= 1;
        } else if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
            depth += 1;
            i += 1;
        }
        i += 1;
    }
    None
}

/// Length of the variable name (`[_A-Za-z][_A-Za-z0-9]*`) that starts `s`.
fn name_len(s: &str) -> usize {
    let mut len = 0;
    for (i, c) in s.char_indices() {
        let ok = c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        len = i + 1;
    }
    len
}

fn invalid(text: &str, reason: &str) -> ComposeError {
    ComposeError::Interpolation { text: text.to_string(), reason: reason.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "SET" => Some("value".into()),
            "EMPTY" => Some(String::new()),
            "PORT" => Some("8080".into()),
            _ => None,
        }
    }

    #[test]
    fn expands_like_compose() {
        let cases = [
            ("a $SET b ${SET} c", "a value b value c"),
            ("$UNSET|${UNSET}|$SET_x|${PORT}0", "|||80800"),
            ("$$SET and $${SET} and $$", "$SET and ${SET} and $"),
            ("${UNSET:-d} ${EMPTY:-d} ${SET:-d}", "d d value"),
            ("${UNSET-d} ${EMPTY-d} ${SET-d}", "d  value"),
            ("${UNSET:-}x", "x"),
            ("${EXPOSE_PORT-:2283:2283}", ":2283:2283"),
            ("${SQL_PORT:-127.0.0.1:13306}:3306", "127.0.0.1:13306:3306"),
            ("${A:-${B:-x}}", "x"),
            ("${A:-${PORT:-x}}-${A:-${B:-${SET}}}", "8080-value"),
            (
                "${TRUSTED_HOSTS:-^${SERVER_NAME:-example\\.com|localhost}|php$$}",
                "^example\\.com|localhost|php$",
            ),
            ("[${SET:+alt}][${EMPTY:+alt}][${UNSET:+alt}]", "[alt][][]"),
            ("[${SET+alt}][${EMPTY+alt}][${UNSET+alt}]", "[alt][alt][]"),
            ("${SET:?boom} ${EMPTY?boom}", "value "),
            // unused branches are not evaluated
            ("${SET:-${UNSET:?never}}", "value"),
        ];
        for (text, want) in cases {
            assert_eq!(interpolate(text, &env).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn required() {
        let err = interpolate("${EMPTY:?set EMPTY in .env}", &env).unwrap_err();
        assert_eq!(err.to_string(), "required variable EMPTY is missing a value: set EMPTY in .env");
        let err = interpolate("${UNSET:?}", &env).unwrap_err();
        assert_eq!(err.to_string(), "required variable UNSET is missing a value");
        let err = interpolate("${UNSET?need ${SET}}", &env).unwrap_err();
        assert_eq!(err.to_string(), "required variable UNSET is missing a value: need value");
    }

    #[test]
    fn invalid_templates() {
        for bad in ["${", "${SET", "${}", "${1A}", "$(date)", "end $", "${SET!x}", "${SET:}"] {
            let err = interpolate(bad, &env).unwrap_err();
            assert!(err.to_string().starts_with("invalid interpolation in "), "{bad}: {err}");
        }
    }

    #[test]
    fn values_keep_structure() {
        let v: Value =
            serde_norway::from_str("a: [\"${PORT}:80\", 5]\nb: {published: '${UNSET:-443}'}").unwrap();
        let out = interpolate_value(&v, &env).unwrap();
        assert_eq!(out["a"][0], Value::from("8080:80"));
        assert_eq!(out["a"][1], Value::from(5));
        assert_eq!(out["b"]["published"], Value::from("443"));
    }
}
