//! Sanitizing the corpus: every file without a port range comes out
//! isolated and re-parses to the same tree; the seed file's copy and a branch
//! override also satisfy the typed compose model.

use serde_norway::Value;

use super::corpus_tests::{corpus, name, open, WITH_RANGES};
use super::sanitize::sanitize;
use super::*;

/// Sanitizes a corpus file with the keys of its own ports.
fn sanitized(file: &ComposeFile) -> Result<Value, ComposeError> {
    let keys = port_keys(&published_ports(std::slice::from_ref(file), &|_| None)?);
    sanitize(file, &keys)
}

#[test]
fn every_sanitizable_file_comes_out_isolated() {
    let mut done = 0;
    for path in corpus() {
        let file = load(&path).unwrap();
        let value = match sanitized(&file) {
            Ok(value) => value,
            Err(ComposeError::PortRange { .. }) if WITH_RANGES.contains(&name(&path).as_str()) => {
                continue;
            }
            Err(e) => panic!("{}: {e}", path.display()),
        };
        let text = to_yaml(&value).unwrap();
        let again = ComposeFile::parse(&path, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(again.doc, value, "{} does not round-trip", path.display());
        assert!(again.doc.get("version").is_none() && again.doc.get("name").is_none());
        assert!(again.services().all(|(_, s)| s.get("container_name").is_none()));
        let ports = published_ports(std::slice::from_ref(&again), &|_| None).unwrap();
        assert!(ports.iter().all(|p| p.spec.published.is_none()), "{}", path.display());
        for section in ["volumes", "networks"] {
            for (_, def) in again.doc.get(section).and_then(Value::as_mapping).into_iter().flatten() {
                assert!(def.get("external").is_some() || def.get("name").is_none(), "{}", path.display());
            }
        }
        let left: Vec<FindingKind> = findings(&[again]).into_iter().map(|f| f.kind).collect();
        assert!(
            left.iter().all(|k| matches!(
                k,
                FindingKind::HostNetwork | FindingKind::ExternalVolume | FindingKind::ExternalNetwork
            )),
            "{}: {left:?}",
            path.display()
        );
        done += 1;
    }
    assert_eq!(done, 14);
}

const OVERRIDE: &str = "services:\n  redis:\n    ports:\n      - \"127.0.0.1:16379:6379\"\n  postgres:\n    ports:\n      - target: 5432\n        published: \"15432\"\n        host_ip: 127.0.0.1\n";

#[test]
fn typed_model_accepts_the_sanitized_seed_file() {
    for file in
        ["masharratt__claude-flow-novice__docker-compose.yml", "mastodon__mastodon__docker-compose.yml"]
    {
        let text = to_yaml(&sanitized(&open(file)).unwrap()).unwrap();
        let typed: Result<docker_compose_types::Compose, _> = serde_norway::from_str(&text);
        let typed = typed.unwrap_or_else(|e| panic!("{file}: {e}\n{text}"));
        assert!(!typed.services.0.is_empty());
    }
    let typed: docker_compose_types::Compose = serde_norway::from_str(OVERRIDE).unwrap();
    assert_eq!(typed.services.0.len(), 2);
}
