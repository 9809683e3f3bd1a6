//! Every port key of the main checkout's cfn.toml names a port its compose files publish: a key
//! that matches none (a service renamed or removed, a typo in `service` or `target`) leases a
//! host port in every worktree for nothing.

use super::survey::Survey;
use super::Check;
use crate::branch::Workspace;
use crate::compose;
use std::collections::HashSet;

pub fn checks(survey: &Survey, ws: &Workspace) -> Vec<Check> {
    if survey.compose_files.is_empty() {
        return Vec::new();
    }
    // A model that does not resolve is the isolation check's to report.
    let Ok(files) = compose::resolve(survey.compose_files.clone()) else { return Vec::new() };
    let dotenv = compose::read_checkout_dotenv(ws.main_root(), &ws.main_root().join(".env"));
    let lookup = |name: &str| dotenv.get(name).cloned();
    let Ok(ports) = compose::published_ports(&files, &lookup) else { return Vec::new() };
    let published: HashSet<(String, u16, crate::protocol::Protocol)> =
        compose::port_keys(&ports).into_iter().map(|k| (k.service, k.target, k.protocol)).collect();
    ws.config
        .ports
        .keys
        .iter()
        .filter(|(_, k)| !published.contains(&(k.service.clone(), k.target, k.protocol)))
        .map(|(key, k)| {
            Check::warn(
                "ports",
                format!(
                    "port key {key} ({}:{}/{}) matches no port the compose files publish",
                    k.service, k.target, k.protocol
                ),
                "remove the key from cfn.toml, or fix its service and target (`cfn init --force` \
                 writes the keys from the compose files again)",
            )
        })
        .collect()
}
