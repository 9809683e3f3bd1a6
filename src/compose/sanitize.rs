//! Rewriting a compose file into a copy that can run once per branch.
//!
//! What is removed, and only that: the top-level `version` and `name`;
//! every `container_name`; every `ports:` entry with a fixed host port (or
//! that a port key republishes — the per-branch override adds those back);
//! the global `name:` of non-external volumes and networks, a network's fixed
//! bridge name, its `ipam.config` (fixed subnets) and with it the services'
//! static `ipv4_address`/`ipv6_address` on that network. (A name built from
//! `${COMPOSE_PROJECT_NAME}` is already per branch and stays.) A relative
//! `extends.file` becomes absolute, since the copy lives elsewhere; every
//! other relative path stays, because compose runs the copy with
//! `--project-directory` set to the original file's directory. Values are
//! never interpolated: `$$` and `${VAR:-x}` are written back as they were.

use std::collections::HashSet;
use std::path::Path;

use serde_norway::Value;

use super::analyze::{port_entries, resolve_port};
use super::error::ComposeError;
use super::findings::{is_external, per_project, BRIDGE_NAME_OPT};
use super::load::ComposeFile;
use super::port_keys::PortKey;
use super::value::{entries_mut, is_empty_mapping, remove};

pub use super::emit::to_yaml;

/// The sanitized copy of `file`, deciding which port entries have a fixed
/// host port with every variable unset (each `${VAR:-default}` at its
/// default). Use [`sanitize_with_env`] to decide with the project's values (as cfn does;
/// this form is the tests').
#[cfg(test)]
pub fn sanitize(file: &ComposeFile, keys: &[PortKey]) -> Result<Value, ComposeError> {
    sanitize_with_env(file, keys, &|_| None)
}

/// The sanitized copy of `file`, interpolating port entries with `env` to
/// tell fixed host ports from ephemeral ones.
pub fn sanitize_with_env(
    file: &ComposeFile,
    keys: &[PortKey],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Value, ComposeError> {
    let mut doc = file.doc.clone();
    let Some(root) = doc.as_mapping_mut() else {
        return Ok(doc);
    };
    root.shift_remove("version");
    root.shift_remove("name");
    for (_, def) in entries_mut(root.get_mut("volumes")) {
        if !is_external(def) && !def.get("name").is_some_and(per_project) {
            remove(def, "name");
        }
    }
    let mut unpinned = HashSet::new();
    for (network, def) in entries_mut(root.get_mut("networks")) {
        if is_external(def) {
            continue;
        }
        if !def.get("name").is_some_and(per_project) {
            remove(def, "name");
        }
        if let Some(opts) = def.get_mut("driver_opts") {
            remove(opts, BRIDGE_NAME_OPT);
            if is_empty_mapping(opts) {
                remove(def, "driver_opts");
            }
        }
        if let Some(ipam) = def.get_mut("ipam") {
            if remove(ipam, "config") {
                unpinned.insert(network.clone());
            }
            if is_empty_mapping(ipam) {
                remove(def, "ipam");
            }
        }
    }
    for (service, body) in entries_mut(root.get_mut("services")) {
        let Some(service) = service.as_str() else {
            continue;
        };
        if !body.get("container_name").is_some_and(per_project) {
            remove(body, "container_name");
        }
        strip_ports(service, body, keys, env)?;
        for (network, settings) in entries_mut(body.get_mut("networks")) {
            if unpinned.contains(network) {
                remove(settings, "ipv4_address");
                remove(settings, "ipv6_address");
                if is_empty_mapping(settings) {
                    *settings = Value::Null;
                }
            }
        }
        absolute_extends(body, file.dir());
    }
    Ok(doc)
}

/// Makes a relative `extends.file` absolute against `dir`, the directory of
/// the file it was written in. The directory's `$` are doubled (compose would
/// interpolate them); the file's own text stays as written, variables included.
fn absolute_extends(body: &mut Value, dir: &Path) {
    let Some(Value::String(path)) = body.get_mut("extends").and_then(|e| e.get_mut("file")) else {
        return;
    };
    if !path.starts_with(['/', '~', '$']) {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let dir = dir.to_string_lossy().replace('$', "$$");
        let rel = path.trim_start_matches("./");
        *path = format!("{}/{rel}", dir.trim_end_matches('/'));
    }
}

/// Drops the service's port entries that have a fixed host port or that a
/// port key republishes; drops `ports:` altogether when nothing is left.
fn strip_ports(
    service: &str,
    body: &mut Value,
    keys: &[PortKey],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ComposeError> {
    let mut kept = Vec::new();
    for entry in port_entries(service, body.get("ports"))? {
        let spec = resolve_port(service, entry, env)?;
        let keyed = keys
            .iter()
            .any(|k| k.service == service && k.target == spec.target && k.protocol == spec.protocol);
        if spec.published.is_none() && !keyed {
            kept.push(entry.clone());
        }
    }
    let Some(ports) = body.get_mut("ports") else {
        return Ok(());
    };
    if kept.is_empty() {
        remove(body, "ports");
    } else if let Value::Tagged(tagged) = ports {
        tagged.value = Value::Sequence(kept);
    } else {
        *ports = Value::Sequence(kept);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::analyze::published_ports;
    use super::super::port_keys::port_keys;
    use super::super::port_spec::Protocol;
    use super::*;

    const FILE: &str = "version: '3.8'\nname: shop\nservices:\n  web:\n    build: ./app\n    container_name: shop-web\n    \
        env_file: .env.web\n    command: sh -c 'echo $$HOME ${GREETING:-hi}'\n    volumes: ['./src:/src', 'data:/data']\n    \
        ports:\n      - '8080:80'\n      - '9229'\n      - ${DEBUG_PORT:-127.0.0.1:5005}:5005\n      - target: 443\n        published: ${TLS:-8443}\n    \
        networks:\n      back: {ipv4_address: 10.9.0.2, aliases: [w]}\n      front: {ipv6_address: 'fd00::2'}\n    \
        extends: {file: ../common/base.yml, service: web}\n  \
        worker:\n    extends: {file: /abs/base.yml, service: w}\n    ports: !override ['3000', '127.0.0.1:3001:3001']\n    \
        networks:\n      back:\n        ipv4_address: 10.9.0.3\n\
        volumes:\n  data:\n    name: shop-data\n    driver: local\n  ext:\n    external: true\n    name: shared\n\
        networks:\n  back:\n    name: shop-back\n    driver_opts: {com.docker.network.bridge.name: br-shop}\n    \
        ipam: {config: [{subnet: 10.9.0.0/24}]}\n  front:\n    ipam: {driver: default}\n  ext:\n    external: true\n    name: proxy\n";

    fn run(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Value {
        let f = ComposeFile::parse(std::path::Path::new("/proj/sub/compose.yaml"), text).unwrap();
        let keys = port_keys(&published_ports(std::slice::from_ref(&f), env).unwrap());
        sanitize_with_env(&f, &keys, env).unwrap()
    }

    fn yaml(text: &str) -> Value {
        serde_norway::from_str(text).unwrap()
    }

    #[test]
    fn removes_what_defeats_isolation_and_nothing_else() {
        let out = run(FILE, &|_| None);
        let want = yaml(
            "services:\n  web:\n    build: ./app\n    env_file: .env.web\n    command: sh -c 'echo $$HOME ${GREETING:-hi}'\n    \
             volumes: ['./src:/src', 'data:/data']\n    ports: ['9229']\n    \
             networks:\n      back: {aliases: [w]}\n      front: {ipv6_address: 'fd00::2'}\n    \
             extends: {file: /proj/sub/../common/base.yml, service: web}\n  \
             worker:\n    extends: {file: /abs/base.yml, service: w}\n    ports: !override ['3000']\n    networks:\n      back:\n\
             volumes:\n  data:\n    driver: local\n  ext:\n    external: true\n    name: shared\n\
             networks:\n  back: {}\n  front:\n    ipam: {driver: default}\n  ext:\n    external: true\n    name: proxy\n",
        );
        assert_eq!(out, want, "{}", to_yaml(&out).unwrap());
        // key order is the original's
        let keys: Vec<&str> =
            out["services"]["web"].as_mapping().unwrap().keys().filter_map(Value::as_str).collect();
        assert_eq!(keys, ["build", "env_file", "command", "volumes", "ports", "networks", "extends"]);
    }

    #[test]
    fn env_decides_which_entries_are_fixed() {
        let text = "services:\n  web:\n    ports: ['${WEB:-80}', '${OTHER:-81}']\n";
        assert_eq!(run(text, &|_| None)["services"]["web"]["ports"], yaml("['${WEB:-80}', '${OTHER:-81}']"));
        let env = |n: &str| (n == "WEB").then(|| "8080:80".to_string());
        assert_eq!(run(text, &env)["services"]["web"]["ports"], yaml("['${OTHER:-81}']"));
        // a key republishes the port, so the base entry goes even when ephemeral
        let f = ComposeFile::parse(std::path::Path::new("/p/c.yaml"), text).unwrap();
        let key = PortKey {
            key: "web".into(),
            service: "web".into(),
            target: 81,
            protocol: Protocol::Tcp,
            base: 8081,
            profiles: Vec::new(),
        };
        assert_eq!(sanitize(&f, &[key]).unwrap()["services"]["web"]["ports"], yaml("['${WEB:-80}']"));
    }

    #[test]
    fn per_project_names_stay() {
        let text = "services:\n  web:\n    container_name: ${COMPOSE_PROJECT_NAME}-web\n\
                    volumes:\n  v:\n    name: ${COMPOSE_PROJECT_NAME}_v\n\
                    networks:\n  n:\n    name: x-${COMPOSE_PROJECT_NAME}\n";
        let out = run(text, &|_| None);
        let back = ComposeFile::parse(std::path::Path::new("/p/c.yaml"), text).unwrap();
        assert_eq!(out, back.doc);
    }

    #[test]
    fn ranges_cannot_be_sanitized() {
        let f = ComposeFile::parse(
            std::path::Path::new("/p/c.yaml"),
            "services:\n  ftp:\n    ports: ['21000-21010:21000-21010']\n",
        )
        .unwrap();
        assert!(matches!(sanitize(&f, &[]), Err(ComposeError::PortRange { .. })));
    }

    #[test]
    fn output_round_trips() {
        let out = run(FILE, &|_| None);
        assert_eq!(yaml(&to_yaml(&out).unwrap()), out);
    }
}
