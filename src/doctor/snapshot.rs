//! One look at the Docker engine: its version, every container with its labels and published
//! ports, the compose networks and volumes, and which of the stacks' images are present.
//!
//! Everything is read in one runtime and turned into plain data, so the checks that judge it
//! never talk to the engine themselves.

use crate::engine::{Engine, PROJECT_LABEL};
use crate::protocol::Protocol;
use anyhow::Result;
use bollard::models::ContainerSummaryStateEnum;
use bollard::query_parameters::{
    ListContainersOptionsBuilder, ListNetworksOptionsBuilder, ListVolumesOptionsBuilder,
};
use std::collections::{HashMap, HashSet};

/// The label cfn's override puts on every service of a repository's stacks.
pub const CFN_PROJECT_LABEL: &str = "dev.cfn.project";
/// The label carrying the repository's id ([`crate::state::repository_id`]): what proves a container is
/// this repository's and not another's of the same project name.
pub const CFN_REPOSITORY_LABEL: &str = "dev.cfn.repository";

pub struct Snapshot {
    /// `docker engine 20.10.24 (api 1.41)`.
    pub version: String,
    pub containers: Vec<Container>,
    pub networks: Vec<Resource>,
    pub volumes: Vec<Resource>,
    /// The wanted images the engine has.
    pub present_images: HashSet<String>,
}

#[derive(Debug, Clone)]
pub struct Container {
    pub id: String,
    pub name: String,
    pub labels: HashMap<String, String>,
    pub running: bool,
    /// The engine's summary: `Up 3 minutes (healthy)`, `Exited (0) 5 seconds ago`.
    pub status: String,
    pub published: Vec<Published>,
}

#[derive(Debug, Clone)]
pub struct Published {
    pub port: u16,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: Protocol,
}

/// A network or volume carrying a compose project label.
#[derive(Debug, Clone)]
pub struct Resource {
    pub name: String,
    pub project: String,
}

impl Container {
    /// The compose project it belongs to.
    pub fn project(&self) -> Option<&str> {
        self.labels.get(PROJECT_LABEL).map(String::as_str)
    }

    /// The compose service it runs.
    pub fn service(&self) -> Option<&str> {
        self.labels.get("com.docker.compose.service").map(String::as_str)
    }

    /// Whether it is down when its stack is up: stopped, and neither a one-off container of
    /// `compose run` nor a job among `jobs` that finished its work (exit 0). A stopped service
    /// often exits 0 too (Redis and PostgreSQL do on SIGTERM), so the exit code alone cannot
    /// tell a job from a service.
    pub fn down(&self, jobs: &[String]) -> bool {
        let one_off =
            self.labels.get("com.docker.compose.oneoff").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let job_done = self.status.starts_with("Exited (0)")
            && self.service().is_some_and(|s| jobs.iter().any(|j| j == s));
        !self.running && !one_off && !job_done
    }

    /// The cfn repository project its override labelled it with.
    pub fn cfn_project(&self) -> Option<&str> {
        self.labels.get(CFN_PROJECT_LABEL).map(String::as_str)
    }

    /// The id of the repository whose override labelled it (none from a cfn before ids).
    pub fn repository(&self) -> Option<&str> {
        self.labels.get(CFN_REPOSITORY_LABEL).map(String::as_str)
    }
}

/// Connects and reads everything; an unreachable engine is the error.
pub async fn take(images: &[String]) -> Result<Snapshot> {
    let engine = Engine::connect().await?;
    read(&engine, images).await
}

pub(super) async fn read(engine: &Engine, images: &[String]) -> Result<Snapshot> {
    let docker = &engine.docker;
    let v = docker.version().await?;
    let version = format!(
        "docker engine {} (api {})",
        v.version.unwrap_or_else(|| "unknown".into()),
        v.api_version.unwrap_or_else(|| "unknown".into())
    );
    let list =
        docker.list_containers(Some(ListContainersOptionsBuilder::default().all(true).build())).await?;
    let containers = list
        .into_iter()
        .map(|c| Container {
            id: c.id.unwrap_or_default(),
            name: c
                .names
                .and_then(|n| n.first().cloned())
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string(),
            labels: c.labels.unwrap_or_default(),
            running: c.state == Some(ContainerSummaryStateEnum::RUNNING),
            status: c.status.unwrap_or_default(),
            published: c
                .ports
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| {
                    Some(Published { port: p.public_port?, protocol: Protocol::of_engine(p.typ) })
                })
                .collect(),
        })
        .collect();
    let filters = HashMap::from([("label", vec![PROJECT_LABEL.to_string()])]);
    let networks = docker
        .list_networks(Some(ListNetworksOptionsBuilder::default().filters(&filters).build()))
        .await?
        .into_iter()
        .filter_map(|n| {
            let project = n.labels?.get(PROJECT_LABEL)?.clone();
            Some(Resource { name: n.name?, project })
        })
        .collect();
    let volumes = docker
        .list_volumes(Some(ListVolumesOptionsBuilder::default().filters(&filters).build()))
        .await?
        .volumes
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| Some(Resource { project: v.labels.get(PROJECT_LABEL)?.clone(), name: v.name }))
        .collect();
    let mut present_images = HashSet::new();
    for image in images {
        if docker.inspect_image(image).await.is_ok() {
            present_images.insert(image.clone());
        }
    }
    Ok(Snapshot { version, containers, networks, volumes, present_images })
}
