//! Which host ports a project publishes, and the port keys cfn derives from
//! them.
//!
//! Every `ports:` entry of every service (in every profile) is interpolated
//! and parsed. Entries with a fixed host port become *port keys*: the names
//! under which cfn leases one host port per branch (`CFN_<KEY>_PORT`).
//! Entries without one (ephemeral ports) are left to the engine.

use std::collections::HashMap;

use serde::Serialize;
use serde_norway::Value;

use super::error::ComposeError;
use super::interpolate::interpolate_value;
use super::load::ComposeFile;
use super::port_spec::{parse_port, PortSpec};
use super::value::describe;

/// One entry of a service's `ports:` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedPort {
    pub service: String,
    pub spec: PortSpec,
    /// Position in that service's `ports:` list of its file.
    pub index: usize,
    /// The entry as written, before interpolation.
    pub raw: String,
    /// The compose profiles of the service (empty: it always runs).
    pub profiles: Vec<String>,
}

/// Every port entry of every service of `files`, in file and list order,
/// interpolated with `env`.
pub fn published_ports(
    files: &[ComposeFile],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<PublishedPort>, ComposeError> {
    let profiles = service_profiles(files);
    let mut out = Vec::new();
    for file in files {
        for (service, body) in file.services() {
            for (index, entry) in port_entries(service, body.get("ports"))?.iter().enumerate() {
                let spec = resolve_port(service, entry, env)?;
                out.push(PublishedPort {
                    service: service.to_string(),
                    spec,
                    index,
                    raw: describe(entry),
                    profiles: profiles.get(service).cloned().unwrap_or_default(),
                });
            }
        }
    }
    Ok(out)
}

/// Each service's `profiles:` (the last file that sets them wins), as written.
pub fn service_profiles(files: &[ComposeFile]) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    for (service, body) in files.iter().flat_map(ComposeFile::services) {
        if let Some(list) = body.get("profiles").and_then(Value::as_sequence) {
            out.insert(service.to_string(), list.iter().map(describe).collect());
        }
    }
    out
}

/// The names of all services of `files`, each once, in order of first
/// appearance.
pub fn service_names(files: &[ComposeFile]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (name, _) in files.iter().flat_map(ComposeFile::services) {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// Interpolates and parses one `ports:` entry of `service`.
pub(super) fn resolve_port(
    service: &str,
    entry: &Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PortSpec, ComposeError> {
    let value = interpolate_value(entry, env).map_err(|e| ComposeError::InvalidPort {
        service: service.to_string(),
        spec: describe(entry),
        reason: e.to_string(),
    })?;
    parse_port(service, &value)
}

/// The items of a service's `ports:` value: a list, possibly tagged
/// `!override`; nothing for `!reset`, null or a missing key.
pub(super) fn port_entries<'a>(service: &str, ports: Option<&'a Value>) -> Result<&'a [Value], ComposeError> {
    match ports {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Sequence(items)) => Ok(items),
        Some(Value::Tagged(t)) if t.tag == "!reset" => Ok(&[]),
        Some(Value::Tagged(t)) => port_entries(service, Some(&t.value)),
        Some(_) => Err(ComposeError::InvalidServiceKey {
            service: service.to_string(),
            key: "ports",
            expected: "a list",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn file(name: &str, text: &str) -> ComposeFile {
        ComposeFile::parse(Path::new(name), text).unwrap()
    }

    #[test]
    fn ports_are_interpolated_with_env() {
        let f = file(
            "/p/c.yaml",
            "services:\n  web:\n    ports:\n      - ${WEB_PORT:-8080}:80\n      - target: 443\n        published: ${TLS}\n",
        );
        let env = |name: &str| (name == "WEB_PORT").then(|| "127.0.0.1:9000".to_string());
        let ports = published_ports(&[f], &env).unwrap();
        assert_eq!(ports[0].spec.published, Some(9000));
        assert_eq!(ports[0].spec.host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(ports[0].raw, "${WEB_PORT:-8080}:80");
        assert_eq!((ports[1].index, ports[1].spec.published), (1, None));
        assert_eq!(ports[1].raw, "{target: 443, published: ${TLS}}");
    }

    #[test]
    fn errors_name_the_service() {
        let f = file("/p/c.yaml", "services:\n  web:\n    ports: ['${P:?set P}:80']\n");
        assert_eq!(
            published_ports(&[f], &|_| None).unwrap_err().to_string(),
            "invalid port \"${P:?set P}:80\" in service web: required variable P is missing a value: set P"
        );
        let f = file("/p/c.yaml", "services:\n  web:\n    ports: '80:80'\n");
        assert_eq!(
            published_ports(&[f], &|_| None).unwrap_err().to_string(),
            "`ports` of service web must be a list"
        );
    }

    #[test]
    fn override_and_reset_tags() {
        let f =
            file("/p/c.yaml", "services:\n  a:\n    ports: !override ['1:1']\n  b:\n    ports: !reset []\n");
        let ports = published_ports(&[f], &|_| None).unwrap();
        assert_eq!(ports.len(), 1);
        assert_eq!(ports[0].service, "a");
    }
}
