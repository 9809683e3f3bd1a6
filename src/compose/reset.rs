//! The override that gives plain `docker compose` on the *base* files the configuration of the
//! sanitized copies (compose v2 only: it relies on the `!reset` and `!override` tags).
//!
//! Plain compose in a worktree must read the base files themselves, first, so that the project
//! directory and every relative path (build contexts, bind mounts, `env_file`) stay the
//! worktree's. What the sanitizer removed from a copy is taken away again by this override:
//! a removed key becomes `key: !reset`, a list the sanitizer shortened becomes
//! `!override [what every copy kept]` (compose appends lists across files, so the kept entries
//! of all files are concatenated, in file order). The top-level `version` and `name` are left
//! out: `COMPOSE_PROJECT_NAME` beats a file's `name:`.

use serde_norway::value::{Tag, TaggedValue};
use serde_norway::{Mapping, Value};

type Path = Vec<Value>;

/// What the sanitizer changed in one file.
#[derive(Default)]
struct Changes {
    removed: Vec<Path>,
    shortened: Vec<Path>,
}

/// The override for base files and their sanitized copies, `(original, sanitized)` in `-f`
/// order; an empty mapping when the sanitizer changed nothing that matters.
pub fn reset_override(files: &[(&Value, &Value)]) -> Value {
    let mut changes = Changes::default();
    for (original, sanitized) in files {
        let (Some(original), Some(sanitized)) = (original.as_mapping(), sanitized.as_mapping()) else {
            continue;
        };
        for (key, value) in original {
            if matches!(key.as_str(), Some("version" | "name")) {
                continue;
            }
            diff(value, sanitized.get(key), vec![key.clone()], &mut changes);
        }
    }
    let sanitized: Vec<&Value> = files.iter().map(|(_, s)| *s).collect();
    let mut out = Value::Mapping(Mapping::new());
    for path in dedup(changes.removed) {
        let kept = sanitized.iter().rev().find_map(|doc| lookup(doc, &path));
        let value = match kept {
            Some(v) => v.clone(),
            None => tagged("reset", Value::Null),
        };
        insert(&mut out, &path, value);
    }
    for path in dedup(changes.shortened) {
        let list = concatenated(&sanitized, &path);
        let value = if list.is_empty() {
            tagged("reset", Value::Sequence(Vec::new()))
        } else {
            tagged("override", Value::Sequence(list))
        };
        insert(&mut out, &path, value);
    }
    out
}

fn diff(original: &Value, sanitized: Option<&Value>, path: Path, out: &mut Changes) {
    let Some(sanitized) = sanitized else {
        out.removed.push(path);
        return;
    };
    match (untagged(original), untagged(sanitized)) {
        (Value::Mapping(o), Value::Mapping(s)) => {
            for (key, value) in o {
                diff(value, s.get(key), child(&path, key), out);
            }
        }
        // the sanitizer empties a mapping into null (a network a service joins with no settings)
        (Value::Mapping(o), Value::Null) => {
            out.removed.extend(o.keys().map(|key| child(&path, key)));
        }
        (Value::Sequence(o), Value::Sequence(s)) if o != s => out.shortened.push(path),
        _ => {}
    }
}

/// The entries every sanitized file keeps at `path`, as compose merges them: appended, a
/// tagged list starting over, each entry once.
fn concatenated(docs: &[&Value], path: &[Value]) -> Vec<Value> {
    let mut list: Vec<Value> = Vec::new();
    for doc in docs {
        let Some(value) = lookup(doc, path) else { continue };
        if matches!(value, Value::Tagged(_)) {
            list.clear();
        }
        if let Value::Sequence(items) = untagged(value) {
            for item in items {
                if !list.contains(item) {
                    list.push(item.clone());
                }
            }
        }
    }
    list
}

fn untagged(value: &Value) -> &Value {
    match value {
        Value::Tagged(t) => &t.value,
        other => other,
    }
}

fn tagged(tag: &str, value: Value) -> Value {
    Value::Tagged(Box::new(TaggedValue { tag: Tag::new(tag), value }))
}

fn child(path: &[Value], key: &Value) -> Path {
    let mut p = path.to_vec();
    p.push(key.clone());
    p
}

fn lookup<'a>(doc: &'a Value, path: &[Value]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |v, key| untagged(v).as_mapping()?.get(key))
}

fn insert(doc: &mut Value, path: &[Value], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut node = doc;
    for key in parents {
        let Some(map) = node.as_mapping_mut() else { return };
        let next = map.entry(key.clone()).or_insert_with(|| Value::Mapping(Mapping::new()));
        if !next.is_mapping() {
            *next = Value::Mapping(Mapping::new());
        }
        node = next;
    }
    if let Some(map) = node.as_mapping_mut() {
        map.insert(last.clone(), value);
    }
}

fn dedup(paths: Vec<Path>) -> Vec<Path> {
    let mut seen = Vec::new();
    for p in paths {
        if !seen.contains(&p) {
            seen.push(p);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::super::emit::to_yaml;
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_norway::from_str(text).unwrap()
    }

    #[test]
    fn removed_keys_are_reset_and_shortened_lists_overridden() {
        let base = yaml(
            "name: shop\nservices:\n  redis:\n    image: r\n    container_name: shop-redis\n    ports: ['6379:6379', '9229']\n    \
             networks:\n      back: {ipv4_address: 10.9.0.2}\n  web:\n    ports: ['8080:80']\n\
             volumes:\n  data: {name: shop-data}\nnetworks:\n  back:\n    name: shop-back\n    ipam: {config: [{subnet: 10.9.0.0/24}]}\n",
        );
        let sanitized = yaml(
            "services:\n  redis:\n    image: r\n    ports: ['9229']\n    networks:\n      back:\n  web: {}\n\
             volumes:\n  data: {}\nnetworks:\n  back: {}\n",
        );
        let out = reset_override(&[(&base, &sanitized)]);
        assert_eq!(
            to_yaml(&out).unwrap(),
            "services:\n  redis:\n    container_name: !reset\n    networks:\n      back:\n        ipv4_address: !reset\n    \
             ports: !override\n      - \"9229\"\n  web:\n    ports: !reset\nvolumes:\n  data:\n    name: !reset\n\
             networks:\n  back:\n    name: !reset\n    ipam: !reset\n"
        );
    }

    #[test]
    fn lists_of_several_files_are_concatenated_and_kept_values_win() {
        let a = yaml("services:\n  w:\n    ports: ['9229', '80:80']\n    container_name: fixed\n");
        let a_s = yaml("services:\n  w:\n    ports: ['9229']\n");
        let b = yaml("services:\n  w:\n    ports: ['9230']\n    container_name: ${COMPOSE_PROJECT_NAME}-w\n");
        let out = reset_override(&[(&a, &a_s), (&b, &b)]);
        assert_eq!(out, {
            let mut want = yaml("services:\n  w:\n    container_name: ${COMPOSE_PROJECT_NAME}-w\n");
            want["services"]["w"]["ports"] = tagged("override", yaml("['9229', '9230']"));
            want
        });
    }

    #[test]
    fn nothing_changed_gives_an_empty_override() {
        let a = yaml("version: '3'\nname: x\nservices:\n  w:\n    ports: ['9229']\n");
        let s = yaml("services:\n  w:\n    ports: ['9229']\n");
        assert_eq!(reset_override(&[(&a, &s)]), Value::Mapping(Mapping::new()));
    }
}
