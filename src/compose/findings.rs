//! What in a project's compose files defeats per-branch isolation.
//!
//! Compose scopes containers, networks and volumes by project name, so two
//! branches with different project names do not collide — unless a file pins
//! a name or an address that is global to the engine, or reaches outside the
//! project. `sanitize` repairs the pinned names and addresses; the rest are
//! for `cfn doctor` to report. Files that `include:` or `extends:` others are
//! judged on their merged model (see `resolve`).

use std::fmt;

use serde::Serialize;
use serde_norway::{Mapping, Value};

use super::load::ComposeFile;
use super::value::{describe, entries};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    ContainerName,
    GlobalVolumeName,
    GlobalNetworkName,
    FixedSubnet,
    StaticIp,
    HostNetwork,
    ExternalVolume,
    ExternalNetwork,
    TopLevelName,
}

/// One thing that defeats isolation, with a one-line lower-case explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub service_or_resource: String,
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.service_or_resource, self.detail)
    }
}

/// Everything in `files` that defeats per-branch isolation, file by file in
/// document order.
pub fn findings(files: &[ComposeFile]) -> Vec<Finding> {
    let mut report = Report { out: Vec::new(), file: String::new() };
    for file in files {
        report.file = file
            .path
            .file_name()
            .map_or_else(|| file.path.display().to_string(), |n| n.to_string_lossy().into_owned());
        if let Some(project) = file.doc.get("name").map(describe) {
            let detail = format!("top-level `name: {project}` pins the project name cfn sets per branch");
            report.add(FindingKind::TopLevelName, &project, detail);
        }
        for (service, body) in file.services() {
            service_findings(&mut report, service, body);
        }
        for (volume, def) in entries(file.doc.get("volumes")) {
            let volume = describe(volume);
            if is_external(def) {
                report.add(
                    FindingKind::ExternalVolume,
                    &volume,
                    "external volume is shared by every branch".into(),
                );
            } else if let Some(global) = def.get("name").filter(|n| !per_project(n)) {
                let detail = format!("`name: {}` makes every branch share this volume", describe(global));
                report.add(FindingKind::GlobalVolumeName, &volume, detail);
            }
        }
        for (network, def) in entries(file.doc.get("networks")) {
            network_findings(&mut report, &describe(network), def);
        }
    }
    report.out
}

/// Findings collected for one file at a time, each naming that file.
struct Report {
    out: Vec<Finding>,
    file: String,
}

impl Report {
    fn add(&mut self, kind: FindingKind, subject: &str, detail: String) {
        let detail = format!("{detail} ({})", self.file);
        self.out.push(Finding { kind, service_or_resource: subject.to_string(), detail });
    }
}

fn service_findings(report: &mut Report, service: &str, body: &Mapping) {
    if let Some(name) = body.get("container_name").filter(|n| !per_project(n)) {
        let detail = format!("`container_name: {}` is the same for every branch", describe(name));
        report.add(FindingKind::ContainerName, service, detail);
    }
    if body.get("network_mode").and_then(Value::as_str) == Some("host") {
        let detail = "`network_mode: host` binds host ports directly, the same for every branch";
        report.add(FindingKind::HostNetwork, service, detail.into());
    }
    for (network, settings) in entries(body.get("networks")) {
        for key in ["ipv4_address", "ipv6_address"] {
            if let Some(ip) = settings.get(key) {
                let (ip, network) = (describe(ip), describe(network));
                let detail = format!("`{key}: {ip}` on network {network} is the same for every branch");
                report.add(FindingKind::StaticIp, service, detail);
            }
        }
    }
}

fn network_findings(report: &mut Report, network: &str, def: &Value) {
    if is_external(def) {
        report.add(
            FindingKind::ExternalNetwork,
            network,
            "external network is shared by every branch".into(),
        );
        return;
    }
    if let Some(global) = def.get("name").filter(|n| !per_project(n)) {
        let detail = format!("`name: {}` makes every branch share this network", describe(global));
        report.add(FindingKind::GlobalNetworkName, network, detail);
    }
    if let Some(bridge) = def.get("driver_opts").and_then(|o| o.get(BRIDGE_NAME_OPT)) {
        let detail = format!("bridge name `{}` can exist only once on the host", describe(bridge));
        report.add(FindingKind::GlobalNetworkName, network, detail);
    }
    for subnet in subnets(def) {
        report.add(
            FindingKind::FixedSubnet,
            network,
            format!("subnet {subnet} would be claimed by every branch"),
        );
    }
}

/// A name built from `${COMPOSE_PROJECT_NAME}` is already different for
/// every branch, since cfn gives each branch its own project name.
pub(super) fn per_project(name: &Value) -> bool {
    name.as_str().is_some_and(|n| n.contains("COMPOSE_PROJECT_NAME"))
}

/// The driver option that names the host's bridge interface.
pub(super) const BRIDGE_NAME_OPT: &str = "com.docker.network.bridge.name";

/// `external: true` (or the legacy `external: {name: ...}`).
pub(super) fn is_external(def: &Value) -> bool {
    match def.get("external") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        Some(Value::Mapping(_)) => true,
        _ => false,
    }
}

/// The fixed subnets of a network definition (`ipam.config[].subnet`).
pub(super) fn subnets(def: &Value) -> Vec<String> {
    def.get("ipam")
        .and_then(|ipam| ipam.get("config"))
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(|config| config.get("subnet").map(describe))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn reports_each_kind() {
        let f = ComposeFile::parse(
            Path::new("/p/compose.yaml"),
            "name: shop\nservices:\n  web:\n    container_name: shop-web\n    network_mode: host\n  \
             api:\n    extends: {file: base.yml, service: api}\n    networks:\n      back: {ipv4_address: 10.1.0.5}\n      front:\n  \
             local:\n    extends: {service: api}\n\
             volumes:\n  data: {name: shop-data}\n  mine: {name: '${COMPOSE_PROJECT_NAME}-x'}\n  shared: {external: true}\n  plain:\n\
             networks:\n  back:\n    name: shop-back\n    driver_opts: {com.docker.network.bridge.name: br-shop}\n    \
             ipam: {config: [{subnet: 10.1.0.0/16}]}\n  outside: {external: {name: proxy}}\n  front:\n",
        )
        .unwrap();
        let got: Vec<(FindingKind, String)> =
            findings(std::slice::from_ref(&f)).into_iter().map(|f| (f.kind, f.service_or_resource)).collect();
        use FindingKind::*;
        let want = [
            (TopLevelName, "shop"),
            (ContainerName, "web"),
            (HostNetwork, "web"),
            (StaticIp, "api"),
            (GlobalVolumeName, "data"),
            (ExternalVolume, "shared"),
            (GlobalNetworkName, "back"),
            (GlobalNetworkName, "back"),
            (FixedSubnet, "back"),
            (ExternalNetwork, "outside"),
        ];
        assert_eq!(got, want.map(|(k, s)| (k, s.to_string())));
        let first = &findings(&[f])[1];
        assert_eq!(
            first.to_string(),
            "web: `container_name: shop-web` is the same for every branch (compose.yaml)"
        );
    }
}
