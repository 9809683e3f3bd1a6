//! Host ports as one engine sees them: what its running containers publish, and the port
//! claims every cfn client of the engine records on it.
//!
//! Several developers' cfn, each with its own state, may share one build host. A local bind
//! probe says nothing about that host's ports, and one state database knows nothing of the
//! others; the engine is the one place they all see. A claim is a volume named after the
//! port (`cfn-port-6389-tcp`) labelled with its owner: creating a volume whose name exists
//! returns the existing one, labels and all, so "create, then read whose it is" is an atomic
//! test-and-set on the engine — of two clients claiming one port at once, exactly one finds
//! its own labels. Claim volumes hold no data and no container mounts them.

use super::{short, Engine};
use crate::protocol::Protocol;
use anyhow::Result;
use bollard::models::{ContainerSummaryStateEnum, VolumeCreateRequest};
use bollard::query_parameters::{ListContainersOptionsBuilder, ListVolumesOptionsBuilder};
use std::collections::{HashMap, HashSet};

/// The label naming the cfn state (its instance id) a claim belongs to.
pub const CLAIM_OWNER_LABEL: &str = "dev.cfn.port-owner";
/// The label naming the operation (its lock token) that made the claim.
pub const CLAIM_OPERATION_LABEL: &str = "dev.cfn.port-operation";
/// The label saying which port and protocol (`6389/tcp`).
pub const CLAIM_PORT_LABEL: &str = "dev.cfn.port";
/// The operation named on the claim of a main checkout's project: it lasts as long as the
/// repository, so no sweep of finished operations releases it.
pub const MAIN_CHECKOUT_OPERATION: &str = "main-checkout";
/// The label of a compose project's claim, naming the project.
pub const CLAIM_PROJECT_LABEL: &str = "dev.cfn.project-claim";

/// A compose project name claimed on the engine by a cfn state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectClaim {
    pub project: String,
    pub owner: String,
    pub operation: String,
}

/// One claim found on the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortClaim {
    pub port: u16,
    pub protocol: Protocol,
    pub owner: String,
    pub operation: String,
}

/// The volume name of the claim on (`port`, `protocol`).
pub fn claim_name(port: u16, protocol: Protocol) -> String {
    format!("cfn-port-{port}-{}", protocol.as_str())
}

impl Engine {
    /// Every host port a running container of the engine publishes, whoever started it.
    pub async fn all_published_ports(&self) -> Result<HashSet<(u16, Protocol)>> {
        let options = ListContainersOptionsBuilder::default().all(false).build();
        let mut out = HashSet::new();
        for c in self.docker.list_containers(Some(options)).await.map_err(|e| anyhow::anyhow!(short(&e)))? {
            if c.state != Some(ContainerSummaryStateEnum::RUNNING) {
                continue;
            }
            for p in c.ports.unwrap_or_default() {
                if let Some(port) = p.public_port {
                    out.insert((port, Protocol::of_engine(p.typ)));
                }
            }
        }
        Ok(out)
    }

    /// Every port claim on the engine, of every cfn state.
    pub async fn port_claims(&self) -> Result<Vec<PortClaim>> {
        let volumes = self.claim_volumes(CLAIM_PORT_LABEL).await?;
        Ok(volumes.iter().filter_map(|v| read_claim(&v.name, &v.labels)).collect())
    }

    /// Every compose project claim on the engine, of every cfn state.
    pub async fn project_claims(&self) -> Result<Vec<ProjectClaim>> {
        let volumes = self.claim_volumes(CLAIM_PROJECT_LABEL).await?;
        Ok(volumes.iter().filter_map(|v| read_project_claim(&v.name, &v.labels)).collect())
    }

    /// Claims (`port`, `protocol`) for `owner`'s operation `operation`: `true` when the claim
    /// is this owner's now (made here, or made earlier by the same operation), `false` when
    /// another owner or operation holds it.
    pub async fn claim_port(
        &self,
        port: u16,
        protocol: Protocol,
        owner: &str,
        operation: &str,
    ) -> Result<bool> {
        let what = (CLAIM_PORT_LABEL, format!("{port}/{}", protocol.as_str()));
        let Some(volume) = self.create_claim(&claim_name(port, protocol), owner, operation, what).await?
        else {
            return Ok(false);
        };
        let held = read_claim(&volume.name, &volume.labels);
        Ok(held.is_some_and(|c| c.owner == owner && c.operation == operation))
    }

    /// Claims the compose project name `project` for `owner`'s operation, as [`claim_port`]
    /// does a port: `true` when it is this owner's now. Two people's branches of one name on a
    /// shared engine would otherwise be one compose project there (one's `down --volumes`
    /// removing the other's data).
    ///
    /// [`claim_port`]: Engine::claim_port
    pub async fn claim_project(&self, project: &str, owner: &str, operation: &str) -> Result<bool> {
        let what = (CLAIM_PROJECT_LABEL, project.to_string());
        let Some(volume) = self.create_claim(&project_claim_name(project), owner, operation, what).await?
        else {
            return Ok(false);
        };
        let held = read_project_claim(&volume.name, &volume.labels);
        Ok(held.is_some_and(|c| c.owner == owner && c.operation == operation))
    }

    /// Gives up a port claim of `owner` (another owner's is left alone).
    pub async fn release_port(&self, claim: &PortClaim, owner: &str) -> Result<()> {
        if claim.owner != owner {
            return Ok(());
        }
        self.remove_claim(&claim_name(claim.port, claim.protocol)).await
    }

    /// Gives up `owner`'s claim on a project name (another owner's is left alone).
    pub async fn release_project(&self, claim: &ProjectClaim, owner: &str) -> Result<()> {
        if claim.owner != owner {
            return Ok(());
        }
        self.remove_claim(&project_claim_name(&claim.project)).await
    }

    /// The claim volumes carrying `label` (of every owner).
    async fn claim_volumes(&self, label: &str) -> Result<Vec<bollard::models::Volume>> {
        let filters = HashMap::from([("label", vec![label.to_string()])]);
        let options = ListVolumesOptionsBuilder::default().filters(&filters).build();
        let list = self.docker.list_volumes(Some(options)).await.map_err(|e| anyhow::anyhow!(short(&e)))?;
        Ok(list.volumes.unwrap_or_default())
    }

    /// Creates the claim volume `name` labelled with its owner, operation and what it claims
    /// (`(label, value)`); the volume as the engine now has it (its labels are whoever's claimed
    /// it first), or `None` when a newer engine refuses a name that exists with other labels.
    async fn create_claim(
        &self,
        name: &str,
        owner: &str,
        operation: &str,
        (label, value): (&str, String),
    ) -> Result<Option<bollard::models::Volume>> {
        let labels = HashMap::from([
            (CLAIM_OWNER_LABEL.to_string(), owner.to_string()),
            (CLAIM_OPERATION_LABEL.to_string(), operation.to_string()),
            (label.to_string(), value),
        ]);
        let request = VolumeCreateRequest {
            name: Some(name.to_string()),
            driver: Some("local".into()),
            labels: Some(labels),
            ..Default::default()
        };
        match self.docker.create_volume(request).await {
            Ok(volume) => Ok(Some(volume)),
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 409, .. }) => Ok(None),
            Err(e) => Err(anyhow::anyhow!("cannot claim {name} on the engine: {}", short(&e))),
        }
    }

    /// Removes the claim volume `name` (one already gone is fine).
    async fn remove_claim(&self, name: &str) -> Result<()> {
        match self.docker.remove_volume(name, None::<bollard::query_parameters::RemoveVolumeOptions>).await {
            Ok(()) | Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {
                Ok(())
            }
            Err(e) => Err(anyhow::anyhow!("cannot release {name} on the engine: {}", short(&e))),
        }
    }
}

/// The volume name of the claim on compose project `project`.
pub fn project_claim_name(project: &str) -> String {
    format!("cfn-project-{project}")
}

/// A project claim volume's project and owner (`None`: not a well-formed project claim).
fn read_project_claim(name: &str, labels: &HashMap<String, String>) -> Option<ProjectClaim> {
    let project = labels.get(CLAIM_PROJECT_LABEL)?;
    (name == project_claim_name(project)).then(|| ProjectClaim {
        project: project.clone(),
        owner: labels.get(CLAIM_OWNER_LABEL).cloned().unwrap_or_default(),
        operation: labels.get(CLAIM_OPERATION_LABEL).cloned().unwrap_or_default(),
    })
}

/// A claim volume's port and owner, from its name and labels (`None`: not a well-formed claim).
fn read_claim(name: &str, labels: &HashMap<String, String>) -> Option<PortClaim> {
    let (port, protocol) = labels.get(CLAIM_PORT_LABEL)?.split_once('/')?;
    let (port, protocol) = (port.parse().ok()?, Protocol::parse(protocol)?);
    (name == claim_name(port, protocol)).then(|| PortClaim {
        port,
        protocol,
        owner: labels.get(CLAIM_OWNER_LABEL).cloned().unwrap_or_default(),
        operation: labels.get(CLAIM_OPERATION_LABEL).cloned().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_is_read_from_its_name_and_labels() {
        let labels = |port: &str| {
            HashMap::from([
                (CLAIM_OWNER_LABEL.to_string(), "me".to_string()),
                (CLAIM_OPERATION_LABEL.to_string(), "op".to_string()),
                (CLAIM_PORT_LABEL.to_string(), port.to_string()),
            ])
        };
        let claim = read_claim("cfn-port-6389-tcp", &labels("6389/tcp")).unwrap();
        assert_eq!((claim.port, claim.protocol, claim.owner.as_str()), (6389, Protocol::Tcp, "me"));
        assert_eq!(read_claim("cfn-port-6390-tcp", &labels("6389/tcp")), None, "name and label disagree");
        assert_eq!(read_claim("cfn-port-x-tcp", &labels("x/tcp")), None);
    }
}
