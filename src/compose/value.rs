//! Small helpers over untyped YAML values shared by the analysis and the
//! sanitizer: one-line rendering for messages, and walking or editing a
//! mapping that may not be one.

use serde_norway::{Mapping, Value};

/// A one-line rendering of a value for messages and reports: strings and
/// numbers as written, mappings as `{key: value, ...}`, lists as `[a, b]`.
pub fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Mapping(map) => {
            let fields: Vec<String> =
                map.iter().map(|(k, v)| format!("{}: {}", describe(k), describe(v))).collect();
            format!("{{{}}}", fields.join(", "))
        }
        Value::Sequence(items) => {
            format!("[{}]", items.iter().map(describe).collect::<Vec<_>>().join(", "))
        }
        Value::Tagged(t) => format!("{} {}", t.tag, describe(&t.value)),
    }
}

/// The entries of `value` if it is a mapping, else none.
pub(super) fn entries(value: Option<&Value>) -> impl Iterator<Item = (&Value, &Value)> {
    value.and_then(Value::as_mapping).map(Mapping::iter).into_iter().flatten()
}

/// The entries of `value` if it is a mapping, else none, for editing.
pub(super) fn entries_mut(value: Option<&mut Value>) -> impl Iterator<Item = (&Value, &mut Value)> {
    value.and_then(Value::as_mapping_mut).into_iter().flat_map(|m| m.iter_mut())
}

/// Removes `key` from `value` if it is a mapping, keeping the order of the
/// other keys; whether it was there.
pub(super) fn remove(value: &mut Value, key: &str) -> bool {
    value.as_mapping_mut().and_then(|m| m.shift_remove(key)).is_some()
}

/// Whether `value` is an empty mapping.
pub(super) fn is_empty_mapping(value: &Value) -> bool {
    value.as_mapping().is_some_and(Mapping::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_on_one_line() {
        let v: Value =
            serde_norway::from_str("{target: 80, published: '${P:-8080}', x: [1, null, true]}").unwrap();
        assert_eq!(describe(&v), "{target: 80, published: ${P:-8080}, x: [1, null, true]}");
    }

    #[test]
    fn edits_keep_order() {
        let mut v: Value = serde_norway::from_str("{a: 1, b: 2, c: 3}").unwrap();
        assert!(remove(&mut v, "a") && !remove(&mut v, "a"));
        assert_eq!(entries(Some(&v)).map(|(k, _)| describe(k)).collect::<Vec<_>>(), ["b", "c"]);
        assert!(!remove(&mut Value::Null, "a") && entries(None).next().is_none());
        for (_, x) in entries_mut(Some(&mut v)) {
            *x = Value::Null;
        }
        assert_eq!(v["c"], Value::Null);
        assert!(!is_empty_mapping(&v) && is_empty_mapping(&Value::Mapping(Mapping::new())));
    }
}
