//! Port keys: the names under which cfn leases one host port per branch
//! (`CFN_<KEY>_PORT`), one per (service, container port, protocol) that the
//! compose files publish on a fixed host port.
//!
//! A service with one such port is keyed by its name (`redis`); a service
//! with several gets one key per container port (`minio_9000`), and a
//! container port published over several protocols gets a `_udp`/`_sctp`
//! suffix on the non-tcp ones (`php_443_udp`). Keys are `[a-z0-9_]+`.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::analyze::PublishedPort;
use super::port_spec::Protocol;

/// A published container port that gets its own host port per branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortKey {
    /// `[a-z0-9_]+`, unique within the project.
    pub key: String,
    pub service: String,
    pub target: u16,
    pub protocol: Protocol,
    /// The host port the compose files publish it on (the slot-0 port).
    pub base: u16,
    /// The compose profiles of its service (empty: it always runs).
    #[serde(default)]
    pub profiles: Vec<String>,
}

/// The port keys of `ports`: one per (service, container port, protocol)
/// that is published on a fixed host port. A later entry for the same
/// triple (e.g. in an override file) sets the base port; keys keep the order
/// in which the triples first appear.
pub fn port_keys(ports: &[PublishedPort]) -> Vec<PortKey> {
    let mut bases: IndexMap<(&str, u16, Protocol), u16> = IndexMap::new();
    let mut profiles: HashMap<&str, &[String]> = HashMap::new();
    for port in ports {
        if let Some(base) = port.spec.published {
            bases.insert((port.service.as_str(), port.spec.target, port.spec.protocol), base);
            profiles.insert(port.service.as_str(), &port.profiles);
        }
    }
    let mut per_service: HashMap<&str, usize> = HashMap::new();
    let mut per_target: HashMap<(&str, u16), usize> = HashMap::new();
    for &(service, target, _) in bases.keys() {
        *per_service.entry(service).or_default() += 1;
        *per_target.entry((service, target)).or_default() += 1;
    }
    let mut used = HashSet::new();
    let mut keys = Vec::with_capacity(bases.len());
    for ((service, target, protocol), base) in bases {
        let mut key = service.to_string();
        if per_service[service] > 1 {
            key = format!("{key}_{target}");
        }
        if per_target[&(service, target)] > 1 && protocol != Protocol::Tcp {
            key = format!("{key}_{protocol}");
        }
        let key = unique(normalize(&key), &mut used);
        let profiles = profiles.get(service).map(|p| p.to_vec()).unwrap_or_default();
        keys.push(PortKey { key, service: service.to_string(), target, protocol, base, profiles });
    }
    keys
}

/// Lower case, with every character outside `[a-z0-9_]` turned into `_`.
fn normalize(key: &str) -> String {
    key.chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' { c } else { '_' })
        .collect()
}

/// `key`, or `key_2`, `key_3`, … when normalisation made two keys equal
/// (services `a-b` and `a_b`).
fn unique(key: String, used: &mut HashSet<String>) -> String {
    let mut candidate = key.clone();
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        candidate = format!("{key}_{n}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::super::analyze::published_ports;
    use super::super::load::ComposeFile;
    use super::*;
    use std::path::Path;

    fn file(name: &str, text: &str) -> ComposeFile {
        ComposeFile::parse(Path::new(name), text).unwrap()
    }

    fn keys(files: &[ComposeFile]) -> Vec<(String, u16, Protocol, u16)> {
        let ports = published_ports(files, &|_| None).unwrap();
        port_keys(&ports).into_iter().map(|k| (k.key, k.target, k.protocol, k.base)).collect()
    }

    fn k(key: &str, target: u16, protocol: Protocol, base: u16) -> (String, u16, Protocol, u16) {
        (key.to_string(), target, protocol, base)
    }

    #[test]
    fn one_key_per_service_or_per_port() {
        use Protocol::*;
        let f = file(
            "/p/compose.yaml",
            "services:\n  Redis.Cache:\n    ports: ['6379:6379', '6380']\n  \
             dns:\n    ports: ['53:53/udp', '53:53', '127.0.0.1:8053:80', '[::1]:8053:80']\n  \
             none:\n    image: x\n  nul:\n    ports:\n",
        );
        assert_eq!(
            keys(&[f]),
            [
                k("redis_cache", 6379, Tcp, 6379),
                k("dns_53_udp", 53, Udp, 53),
                k("dns_53", 53, Tcp, 53),
                k("dns_80", 80, Tcp, 8053)
            ]
        );
    }

    #[test]
    fn later_files_set_the_base_and_new_ports() {
        use Protocol::*;
        let base =
            file("/p/compose.yaml", "services:\n  web:\n    ports: ['8080:80']\n  db:\n    image: pg\n");
        let over = file(
            "/p/compose.override.yml",
            "services:\n  web:\n    ports: ['9090:80']\n  db:\n    ports: ['5432:5432']\n",
        );
        assert_eq!(keys(&[base, over]), [k("web", 80, Tcp, 9090), k("db", 5432, Tcp, 5432)]);
    }

    #[test]
    fn normalised_keys_stay_unique() {
        let f = file(
            "/p/c.yaml",
            "services:\n  a-b:\n    ports: ['1:1']\n  a_b:\n    ports: ['2:2']\n  A B:\n    ports: ['3:3']\n",
        );
        let names: Vec<String> = keys(&[f]).into_iter().map(|k| k.0).collect();
        assert_eq!(names, ["a_b", "a_b_2", "a_b_3"]);
    }

    #[test]
    fn keys_carry_their_services_profiles() {
        let f = file(
            "/p/c.yaml",
            "services:\n  cpu:\n    profiles: [cpu]\n    ports: ['11434:11434']\n  \
             gpu:\n    profiles: [gpu-nvidia, gpu]\n    ports: ['11434:11434']\n  web:\n    ports: ['80:80']\n",
        );
        let ports = published_ports(&[f], &|_| None).unwrap();
        let profiles: Vec<(String, Vec<String>)> =
            port_keys(&ports).into_iter().map(|k| (k.key, k.profiles)).collect();
        let want = |k: &str, p: &[&str]| (k.to_string(), p.iter().map(|s| s.to_string()).collect());
        assert_eq!(profiles, [want("cpu", &["cpu"]), want("gpu", &["gpu-nvidia", "gpu"]), want("web", &[])]);
    }
}
