//! Reading one compose file into an untyped YAML tree.
//!
//! Users' compose files are read untyped (`serde_norway::Value`) because the
//! typed model rejects keys, tags and merge keys that compose accepts. Merge
//! keys (`<<: *anchor`) are resolved here, so every later stage sees what
//! compose sees; anchors and aliases are resolved by the parser itself.
//! (`Value::apply_merge` would do, but it reorders keys; this keeps the
//! merged keys where the `<<` was, so a sanitized copy reads like the
//! original.)

use std::path::{Path, PathBuf};

use serde_norway::{Mapping, Value};

use super::error::ComposeError;

/// One compose file: where it was read from and its merged YAML tree, whose
/// top level is always a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct ComposeFile {
    pub path: PathBuf,
    pub doc: Value,
}

impl ComposeFile {
    /// Parses `text` as the content of the compose file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<ComposeFile, ComposeError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let text = text.replace("\r\n", "\n");
        super::depth::check(&text).map_err(|(line, message)| ComposeError::Parse {
            path: path.to_path_buf(),
            line: Some(line),
            message,
        })?;
        let mut doc: Value = serde_norway::from_str(&text).map_err(|e| ComposeError::Parse {
            path: path.to_path_buf(),
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        })?;
        merge_keys(&mut doc)
            .map_err(|message| ComposeError::Merge { path: path.to_path_buf(), message: message.into() })?;
        let found = match &doc {
            Value::Mapping(_) => None,
            Value::Null => Some("an empty document"),
            Value::Sequence(_) => Some("a list"),
            Value::Tagged(_) => Some("a tagged value"),
            _ => Some("a single value"),
        };
        if let Some(found) = found {
            return Err(ComposeError::NotAMapping { path: path.to_path_buf(), found });
        }
        Ok(ComposeFile { path: path.to_path_buf(), doc })
    }

    /// The directory the file lives in, against which compose resolves its
    /// relative paths.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The services of the file in document order; entries that are not
    /// mappings (e.g. `web:` with nothing under it) are skipped.
    pub fn services(&self) -> impl Iterator<Item = (&str, &Mapping)> {
        self.doc
            .get("services")
            .and_then(Value::as_mapping)
            .into_iter()
            .flat_map(|services| services.iter())
            .filter_map(|(name, service)| Some((name.as_str()?, service.as_mapping()?)))
    }
}

/// Reads and parses the compose file at `path`. CRLF line ends, a missing
/// final newline and a UTF-8 byte-order mark are all accepted.
pub fn load(path: &Path) -> Result<ComposeFile, ComposeError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ComposeError::Read { path: path.to_path_buf(), source })?;
    ComposeFile::parse(path, &text)
}

/// Resolves every `<<` merge key under `value`, in place: the merged
/// mappings' keys take the position of the `<<`, keys written locally win,
/// and in a list of merged mappings the earlier one wins.
fn merge_keys(value: &mut Value) -> Result<(), &'static str> {
    match value {
        Value::Sequence(items) => items.iter_mut().try_for_each(merge_keys),
        Value::Tagged(tagged) => merge_keys(&mut tagged.value),
        Value::Mapping(map) => {
            map.values_mut().try_for_each(merge_keys)?;
            if map.contains_key("<<") {
                *map = merged(std::mem::take(map))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn merged(map: Mapping) -> Result<Mapping, &'static str> {
    let mut out = Mapping::with_capacity(map.len());
    let local: Vec<Value> = map.keys().filter(|k| k.as_str() != Some("<<")).cloned().collect();
    for (key, value) in map {
        if key.as_str() != Some("<<") {
            out.insert(key, value);
            continue;
        }
        let sources = match value {
            Value::Mapping(m) => vec![m],
            Value::Sequence(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::Mapping(m) => Ok(m),
                    _ => Err("a `<<` list may only hold mappings"),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("`<<` must be followed by a mapping or a list of mappings"),
        };
        for (k, v) in sources.into_iter().flatten() {
            if !local.contains(&k) && !out.contains_key(&k) {
                out.insert(k, v);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ComposeFile, ComposeError> {
        ComposeFile::parse(Path::new("/p/compose.yaml"), text)
    }

    #[test]
    fn crlf_and_no_final_newline() {
        let f = parse("services:\r\n  web:\r\n    image: \"a\r\n      b\"\r\n    ports: ['80']").unwrap();
        assert_eq!(f.doc["services"]["web"]["image"], Value::from("a b"));
        assert_eq!(f.doc["services"]["web"]["ports"][0], Value::from("80"));
        assert_eq!(f.dir(), Path::new("/p"));
    }

    #[test]
    fn merge_keys_are_applied_and_local_keys_win() {
        let f = parse(
            "x-base: &base\n  image: redis\n  ports: ['6379:6379']\n\
             services:\n  a:\n    <<: *base\n    image: valkey\n",
        )
        .unwrap();
        let a = &f.doc["services"]["a"];
        assert_eq!(a["image"], Value::from("valkey"));
        assert_eq!(a["ports"][0], Value::from("6379:6379"));
        assert!(a.get("<<").is_none());
        assert_eq!(f.services().map(|(n, _)| n).collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn merged_keys_keep_their_place() {
        let f = parse(
            "x-a: &a {image: a, user: a}\nx-b: &b {image: b, init: true}\n\
             services:\n  s:\n    profiles: [p]\n    <<: [*a, *b]\n    user: local\n",
        )
        .unwrap();
        let s = &f.doc["services"]["s"];
        let keys: Vec<&str> = s.as_mapping().unwrap().keys().filter_map(Value::as_str).collect();
        assert_eq!(keys, ["profiles", "image", "init", "user"]);
        assert_eq!(s["image"], Value::from("a"));
        assert_eq!(s["user"], Value::from("local"));
        let err = parse("services:\n  s:\n    <<: 1\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot resolve the `<<:` merge keys in compose file /p/compose.yaml: \
             `<<` must be followed by a mapping or a list of mappings"
        );
    }

    #[test]
    fn parse_error_names_file_and_line() {
        let err = parse("services:\n  web:\n    image: [a,\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("cannot parse compose file /p/compose.yaml: "), "{msg}");
        assert!(msg.contains("line 4"), "{msg}");
        assert!(matches!(err, ComposeError::Parse { line: Some(4), .. }));
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        let msg = parse("").unwrap_err().to_string();
        assert_eq!(
            msg,
            "compose file /p/compose.yaml must be a mapping with a `services:` key, \
             found an empty document"
        );
        assert!(parse("- a\n").unwrap_err().to_string().ends_with("found a list"));
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = load(Path::new("/nonexistent/compose.yaml")).unwrap_err();
        assert!(err.to_string().starts_with("cannot read compose file /nonexistent/compose.yaml: "));
    }
}
