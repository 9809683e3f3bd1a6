//! The host ports the running containers of one compose project publish, found by its label:
//! what a lease must not be released from while a container still holds it.

use super::{Engine, PROJECT_LABEL};
use crate::protocol::Protocol;
use anyhow::Result;
use bollard::models::ContainerSummaryStateEnum;
use bollard::query_parameters::ListContainersOptionsBuilder;
use std::collections::HashMap;

/// One host port a running container publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPort {
    pub port: u16,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: Protocol,
    /// The container's name.
    pub container: String,
}

impl Engine {
    /// Every host port published by a running container of compose project `project`
    /// (one-off `run` containers included: they hold the port just as well).
    pub async fn published_ports(&self, project: &str) -> Result<Vec<PublishedPort>> {
        let filters = HashMap::from([("label", vec![format!("{PROJECT_LABEL}={project}")])]);
        let options = ListContainersOptionsBuilder::default().all(false).filters(&filters).build();
        let mut out = Vec::new();
        for c in self.docker.list_containers(Some(options)).await? {
            if c.state != Some(ContainerSummaryStateEnum::RUNNING) {
                continue;
            }
            let name = c.names.and_then(|n| n.first().cloned()).unwrap_or_default();
            let name = name.trim_start_matches('/').to_string();
            for p in c.ports.unwrap_or_default() {
                let Some(port) = p.public_port else { continue };
                let protocol = Protocol::of_engine(p.typ);
                let found = PublishedPort { port, protocol, container: name.clone() };
                // An address family each (0.0.0.0 and ::) lists the same port twice.
                if !out.contains(&found) {
                    out.push(found);
                }
            }
        }
        Ok(out)
    }
}
