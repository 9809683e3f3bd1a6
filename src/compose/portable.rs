//! Making compose v2's merged model (`docker compose config`) readable by compose v1 as well.
//!
//! v2 writes some entries in forms v1 (1.29) rejects, although it accepts what they mean: the
//! long `env_file` syntax, `create_host_path` on bind mounts, `required` on `depends_on`. Each
//! is written back in the form both versions read the same way; anything else stays as it is.

use std::path::Path;

use serde_norway::{Mapping, Value};

use super::value::{entries_mut, is_empty_mapping, remove};

/// Rewrites, in place, every service of `doc` into forms both compose versions accept.
pub fn make_portable(doc: &mut Value) {
    for (_, service) in entries_mut(doc.get_mut("services")) {
        if let Some(env_files) = service.get_mut("env_file") {
            short_env_files(env_files);
            if env_files.as_sequence().is_some_and(Vec::is_empty) {
                remove(service, "env_file");
            }
        }
        if let Some(Value::Sequence(volumes)) = service.get_mut("volumes") {
            volumes.iter_mut().for_each(short_volume);
        }
        for (_, dependency) in entries_mut(service.get_mut("depends_on")) {
            if dependency.get("required") == Some(&Value::Bool(true)) {
                remove(dependency, "required");
            }
        }
    }
}

/// `{path: P, required: true}` → `P`; an optional file that is missing is left out (as compose
/// does), one that exists is listed. Read again on every render, so this follows the file.
fn short_env_files(env_files: &mut Value) {
    let Value::Sequence(items) = env_files else { return };
    items.retain_mut(|item| {
        let Some(path) = item.get("path").and_then(Value::as_str).map(str::to_string) else {
            return true;
        };
        let required = item.get("required") != Some(&Value::Bool(false));
        if !required && !Path::new(&path).exists() {
            return false;
        }
        *item = Value::String(path);
        true
    });
}

/// A long volume entry with nothing but type, source, target and read-only becomes
/// `source:target[:ro]`; otherwise only the defaults v1 does not know are dropped.
fn short_volume(volume: &mut Value) {
    let Some(map) = volume.as_mapping_mut() else { return };
    if let Some(bind) = map.get_mut("bind") {
        if bind.get("create_host_path") == Some(&Value::Bool(true)) {
            remove(bind, "create_host_path");
        }
        if is_empty_mapping(bind) {
            map.shift_remove("bind");
        }
    }
    if map.get("volume").is_some_and(is_empty_mapping) {
        map.shift_remove("volume");
    }
    if let Some(short) = short_form(map) {
        *volume = Value::String(short);
    }
}

fn short_form(map: &Mapping) -> Option<String> {
    let plain = map.keys().all(|k| matches!(k.as_str(), Some("type" | "source" | "target" | "read_only")));
    let kind = map.get("type").and_then(Value::as_str)?;
    if !plain || !matches!(kind, "bind" | "volume") {
        return None;
    }
    let source = map.get("source").and_then(Value::as_str)?;
    let target = map.get("target").and_then(Value::as_str)?;
    let read_only = map.get("read_only") == Some(&Value::Bool(true));
    Some(format!("{source}:{target}{}", if read_only { ":ro" } else { "" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_output_becomes_v1_readable() {
        let dir = tempfile::tempdir().unwrap();
        let present = dir.path().join("present.env");
        std::fs::write(&present, "").unwrap();
        let text = format!(
            "services:\n  web:\n    env_file:\n      - {{path: /x/a.env, required: true}}\n      \
             - {{path: {}, required: false}}\n      - {{path: /x/missing.env, required: false}}\n    \
             volumes:\n      - {{type: bind, source: /x/static, target: /static, bind: {{create_host_path: true}}}}\n      \
             - {{type: volume, source: data, target: /data, read_only: true, volume: {{}}}}\n      \
             - {{type: bind, source: /x/s, target: /s, bind: {{propagation: rshared, create_host_path: true}}}}\n    \
             depends_on:\n      db: {{condition: service_started, required: true}}\n  \
             db:\n    env_file: [{{path: /x/missing.env, required: false}}]\n",
            present.display()
        );
        let mut doc: Value = serde_norway::from_str(&text).unwrap();
        make_portable(&mut doc);
        let want: Value = serde_norway::from_str(&format!(
            "services:\n  web:\n    env_file: [/x/a.env, {}]\n    \
             volumes:\n      - /x/static:/static\n      - data:/data:ro\n      \
             - {{type: bind, source: /x/s, target: /s, bind: {{propagation: rshared}}}}\n    \
             depends_on:\n      db: {{condition: service_started}}\n  db: {{}}\n",
            present.display()
        ))
        .unwrap();
        assert_eq!(doc, want);
    }
}
